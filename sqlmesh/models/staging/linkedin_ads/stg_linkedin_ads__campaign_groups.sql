/* One row per LinkedIn campaign group in its latest state: the level above campaigns that groups
   them by audience. */
MODEL (
  name staging.stg_linkedin_ads__campaign_groups,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key campaign_group_id
  ),
  grain campaign_group_id,
  audits (
    unique_values(columns := (campaign_group_id)),
    not_null(columns := (campaign_group_id, ad_account_id, campaign_group_name, campaign_group_status, created_at))
  ),
  column_descriptions (
    campaign_group_id = 'LinkedIn campaign group id (urn:li:sponsoredCampaignGroup:<id>)',
    ad_account_id = 'Ad account id, from the account URN'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.campaign_groups
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS campaign_group_id,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  (payload ->> 'name')::TEXT AS campaign_group_name,
  (payload ->> 'status')::TEXT AS campaign_group_status,
  (payload ->> 'test')::BOOLEAN AS is_test,
  TO_TIMESTAMP((payload -> 'runSchedule' ->> 'start')::BIGINT / 1000.0)::TIMESTAMPTZ AS run_start_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'created' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'lastModified' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (campaign_group_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
