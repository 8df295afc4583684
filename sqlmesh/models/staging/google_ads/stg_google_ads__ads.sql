/* One row per Google Ads ad (ad_group_ad) in its latest state; its final URL carries the UTM
   parameters of its clicks. */
MODEL (
  name staging.stg_google_ads__ads,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ad_id
  ),
  grain ad_id,
  audits (
    unique_values(columns := (ad_id)),
    not_null(columns := (ad_id, ad_group_id, campaign_id, ad_status))
  ),
  column_descriptions (
    ad_id = 'Google Ads ad id',
    ad_status = 'Status of the ad in its ad group: ENABLED, PAUSED or REMOVED',
    final_url = 'First final URL, with utm_source, utm_medium and utm_campaign'
  )
);

WITH clean AS (
  SELECT * FROM raw_google_ads.ads
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload -> 'adGroupAd' -> 'ad' ->> 'id')::TEXT AS ad_id,
  (payload -> 'adGroup' ->> 'id')::TEXT AS ad_group_id,
  (payload -> 'campaign' ->> 'id')::TEXT AS campaign_id,
  (payload -> 'adGroupAd' -> 'ad' ->> 'name')::TEXT AS ad_name,
  (payload -> 'adGroupAd' -> 'ad' ->> 'type')::TEXT AS ad_type,
  (payload -> 'adGroupAd' ->> 'status')::TEXT AS ad_status,
  (payload -> 'adGroupAd' -> 'ad' -> 'finalUrls' ->> 0)::TEXT AS final_url,
  (payload -> 'adGroupAd' ->> 'resourceName')::TEXT AS resource_name,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
