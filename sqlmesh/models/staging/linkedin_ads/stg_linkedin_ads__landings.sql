/* One row per LinkedIn ad click that landed as an app sign-up, as the landing page recorded it
   (li_fat_id click id, the creative, the UTM parameters, the app account). Attribution joins
   app_account_id to the app's accounts. */
MODEL (
  name staging.stg_linkedin_ads__landings,
  kind FULL,
  grain landing_id,
  audits (
    unique_values(columns := (landing_id)),
    not_null(columns := (landing_id, click_id, clicked_at, campaign_id, creative_id, app_account_id))
  ),
  column_descriptions (
    landing_id = 'Landing record id',
    click_id = 'LinkedIn click id (li_fat_id in the landing URL)',
    app_account_id = 'App account the click signed up as (accounts.id)'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.landings WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS landing_id,
  (payload ->> 'clickId')::TEXT AS click_id,
  TO_TIMESTAMP((payload ->> 'clickedAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS clicked_at,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  SPLIT_PART(payload ->> 'campaign', ':', 4)::TEXT AS campaign_id,
  SPLIT_PART(payload ->> 'creative', ':', 4)::TEXT AS creative_id,
  (payload ->> 'url')::TEXT AS landing_url,
  (payload ->> 'utmSource')::TEXT AS utm_source,
  (payload ->> 'utmMedium')::TEXT AS utm_medium,
  (payload ->> 'utmCampaign')::TEXT AS utm_campaign,
  (payload ->> 'appAccountId')::UUID AS app_account_id,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
