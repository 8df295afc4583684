/* One row per ad campaign per report day, unified across Google Ads (ad_performance), Meta Ads
   (ad_insights) and LinkedIn Ads (creative_analytics, rolled up to the campaign through the
   creatives): spend, impressions, clicks and conversions as each platform reports them, with
   the campaign's key <platform>:<campaign id>. Feeds entity_campaigns and entity_campaigns_daily. */
MODEL (
  name intermediate.int_ads__daily_delivery,
  kind FULL,
  grain (campaign_key, report_date),
  audits (
    unique_combination_of_columns(columns := (campaign_key, report_date)),
    not_null(columns := (campaign_key, platform, campaign_id, report_date, spend, impressions, clicks, conversions)),
    accepted_values(column := platform, is_in := ('google_ads', 'meta_ads', 'linkedin_ads')),
    assert_non_negative(columns := (spend, impressions, clicks, conversions))
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id>',
    platform = 'google_ads, meta_ads or linkedin_ads',
    report_date = 'The platform''s report day',
    spend = 'Spend reported for the day, campaign currency'
  )
);

WITH delivery AS (
  SELECT 'google_ads' AS platform, campaign_id::TEXT AS campaign_id, report_date::DATE AS report_date,
    impressions::NUMERIC AS impressions, clicks::NUMERIC AS clicks, spend::NUMERIC AS spend,
    conversions::NUMERIC AS conversions
  FROM staging.stg_google_ads__ad_performance
  UNION ALL
  SELECT 'meta_ads', campaign_id::TEXT, report_date::DATE, impressions, clicks, spend, conversions
  FROM staging.stg_meta_ads__ad_insights
  UNION ALL
  SELECT 'linkedin_ads', c.campaign_id::TEXT, a.report_date::DATE, a.impressions, a.clicks, a.spend, a.conversions
  FROM staging.stg_linkedin_ads__creative_analytics AS a
  JOIN staging.stg_linkedin_ads__creatives AS c
    ON c.creative_id = a.creative_id
)
SELECT
  /* ids */
  (platform || ':' || campaign_id)::TEXT AS campaign_key,
  platform::TEXT AS platform,
  campaign_id::TEXT AS campaign_id,
  /* measures */
  COALESCE(SUM(spend), 0)::NUMERIC(18, 2) AS spend,
  COALESCE(SUM(impressions), 0)::BIGINT AS impressions,
  COALESCE(SUM(clicks), 0)::BIGINT AS clicks,
  COALESCE(SUM(conversions), 0)::NUMERIC(18, 2) AS conversions,
  /* timestamps */
  report_date::DATE AS report_date
FROM delivery
WHERE campaign_id IS NOT NULL AND report_date IS NOT NULL
GROUP BY platform, campaign_id, report_date
