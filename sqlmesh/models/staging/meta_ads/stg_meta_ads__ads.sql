/* One row per Meta ad in its latest state; its creative's url_tags carry the UTM parameters. */
MODEL (
  name staging.stg_meta_ads__ads,
  kind FULL,
  grain ad_id,
  audits (
    unique_values(columns := (ad_id)),
    not_null(columns := (ad_id, adset_id, campaign_id, ad_name, ad_status, created_at, updated_at))
  ),
  column_descriptions (
    ad_id = 'Meta ad id',
    url_tags = 'Query string the creative appends to its links (utm_source, utm_medium, utm_campaign)'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.ads WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS ad_id,
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'campaign_id')::TEXT AS campaign_id,
  (payload ->> 'adset_id')::TEXT AS adset_id,
  (payload ->> 'name')::TEXT AS ad_name,
  (payload ->> 'status')::TEXT AS ad_status,
  (payload -> 'creative' ->> 'id')::TEXT AS creative_id,
  (payload -> 'creative' ->> 'url_tags')::TEXT AS url_tags,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updated_time')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
