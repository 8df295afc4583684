/* One row per Meta ad set in its latest state: a campaign's audience, placement and bidding. */
MODEL (
  name staging.stg_meta_ads__adsets,
  kind FULL,
  grain adset_id,
  audits (
    unique_values(columns := (adset_id)),
    not_null(columns := (adset_id, campaign_id, adset_name, adset_status, created_at, updated_at))
  ),
  column_descriptions (
    adset_id = 'Meta ad set id',
    publisher_platforms = 'JSON array of placements (facebook, instagram)',
    targeting = 'The full targeting spec as JSON'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.adsets WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS adset_id,
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'campaign_id')::TEXT AS campaign_id,
  (payload ->> 'name')::TEXT AS adset_name,
  (payload ->> 'status')::TEXT AS adset_status,
  (payload ->> 'billing_event')::TEXT AS billing_event,
  (payload ->> 'optimization_goal')::TEXT AS optimization_goal,
  (payload -> 'targeting' -> 'publisher_platforms')::JSONB AS publisher_platforms,
  (payload -> 'targeting')::JSONB AS targeting,
  (payload ->> 'start_time')::TIMESTAMPTZ AS start_at,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updated_time')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
