/* One row per LinkedIn creative (the ad of a campaign) in its latest state. */
MODEL (
  name staging.stg_linkedin_ads__creatives,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key creative_id
  ),
  grain creative_id,
  audits (
    unique_values(columns := (creative_id)),
    not_null(columns := (creative_id, campaign_id, intended_status, created_at, updated_at))
  ),
  column_descriptions (
    creative_id = 'LinkedIn creative id, the number of urn:li:sponsoredCreative:<id>',
    intended_status = 'Status the advertiser set: ACTIVE, PAUSED, ARCHIVED, ...',
    content_reference = 'The post (urn:li:share) the creative promotes'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.creatives
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  SPLIT_PART(payload ->> 'id', ':', 4)::TEXT AS creative_id,
  (payload ->> 'id')::TEXT AS creative_urn,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  SPLIT_PART(payload ->> 'campaign', ':', 4)::TEXT AS campaign_id,
  (payload ->> 'name')::TEXT AS creative_name,
  (payload ->> 'intendedStatus')::TEXT AS intended_status,
  (payload -> 'content' ->> 'reference')::TEXT AS content_reference,
  TO_TIMESTAMP((payload ->> 'createdAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload ->> 'lastModifiedAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (creative_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
