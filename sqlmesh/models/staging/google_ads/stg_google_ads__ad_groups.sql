/* One row per Google Ads ad group in its latest state (a campaign's keyword theme). */
MODEL (
  name staging.stg_google_ads__ad_groups,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ad_group_id
  ),
  grain ad_group_id,
  audits (
    unique_values(columns := (ad_group_id)),
    not_null(columns := (ad_group_id, campaign_id, ad_group_name, ad_group_status))
  ),
  column_descriptions (
    ad_group_id = 'Google Ads ad group id',
    campaign_id = 'Campaign the ad group belongs to',
    ad_group_status = 'ENABLED, PAUSED or REMOVED'
  )
);

WITH clean AS (
  SELECT * FROM raw_google_ads.ad_groups
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload -> 'adGroup' ->> 'id')::TEXT AS ad_group_id,
  (payload -> 'campaign' ->> 'id')::TEXT AS campaign_id,
  (payload -> 'adGroup' ->> 'name')::TEXT AS ad_group_name,
  (payload -> 'adGroup' ->> 'status')::TEXT AS ad_group_status,
  (payload -> 'adGroup' ->> 'type')::TEXT AS ad_group_type,
  (payload -> 'adGroup' ->> 'resourceName')::TEXT AS resource_name,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_group_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
