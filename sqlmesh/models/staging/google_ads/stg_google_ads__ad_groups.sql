/* One row per Google Ads ad group in its latest state (a campaign's keyword theme). */
MODEL (
  name staging.stg_google_ads__ad_groups,
  kind FULL,
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
  SELECT * FROM raw_google_ads.ad_groups WHERE CARDINALITY(_flags) = 0
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
FROM latest
