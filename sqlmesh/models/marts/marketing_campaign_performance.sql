/* One row per ad campaign (platform + campaign), unified across Google Ads, Meta Ads and LinkedIn
   Ads: lifetime delivery as the platforms report it (intermediate.int_ads__daily_delivery: spend,
   impressions, clicks, conversions), and what the campaign's touches earned under each of the five
   attribution models of marts.marketing_attribution:
     <model>_conversions  sum of the model's credits on the campaign's touches: conversions (app
                          sign-ups) attributed to the campaign
     <model>_revenue      attributed revenue = Σ credit × converted_mrr, the current MRR of each
                          account the campaign helped convert, credited by the model: the monthly
                          recurring revenue the campaign brought in
     <model>_roi          (<model>_revenue − spend) ÷ spend; NULL without spend
   for <model> in first_touch, last_touch, linear, time_decay, u_shaped. ROI sets one month of
   acquired recurring revenue against the campaign's lifetime spend: -1 is nothing back, 0 is a
   month of the acquired MRR paying the spend back. Campaigns come from entity.entity_campaigns,
   plus any campaign with delivery or attributed touches but no campaign record. Spend in the
   campaign's currency, revenue in the customers' (no conversion). */
MODEL (
  name marts.marketing_campaign_performance,
  kind FULL,
  owner marketing,
  grain campaign_key,
  audits (
    unique_values(columns := (campaign_key)),
    not_null(columns := (
      campaign_key, platform, campaign_id, spend, impressions, clicks, conversions, first_touch_conversions,
      last_touch_conversions, linear_conversions, time_decay_conversions, u_shaped_conversions,
      first_touch_revenue, last_touch_revenue, linear_revenue, time_decay_revenue, u_shaped_revenue
    )),
    accepted_values(column := platform, is_in := ('google_ads', 'meta_ads', 'linkedin_ads')),
    assert_non_negative(columns := (
      spend, impressions, clicks, conversions, attributed_touches, first_touch_conversions,
      last_touch_conversions, linear_conversions, time_decay_conversions, u_shaped_conversions,
      first_touch_revenue, last_touch_revenue, linear_revenue, time_decay_revenue, u_shaped_revenue,
      cost_per_click, cost_per_conversion
    )),
    assert_in_range(columns := (click_through_rate), max_v := 1)
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id> (entity_campaigns.campaign_key)',
    platform = 'google_ads, meta_ads or linkedin_ads',
    campaign_id = 'The platform''s campaign id',
    spend = 'Lifetime spend reported, campaign currency',
    conversions = 'Conversions as the platform reports them',
    click_through_rate = 'clicks ÷ impressions, 0-1; NULL without impressions',
    cost_per_click = 'spend ÷ clicks; NULL without clicks',
    cost_per_conversion = 'spend ÷ platform-reported conversions; NULL without conversions',
    attributed_touches = 'The campaign''s touches on conversion paths (marketing_attribution rows)',
    first_touch_conversions = 'Sign-ups credited to the campaign, first touch',
    last_touch_conversions = 'Sign-ups credited to the campaign, last touch',
    linear_conversions = 'Sign-ups credited to the campaign, linear',
    time_decay_conversions = 'Sign-ups credited to the campaign, time decay (half-life 7 days)',
    u_shaped_conversions = 'Sign-ups credited to the campaign, U-shaped (40/20/40)',
    first_touch_revenue = 'Attributed revenue, first touch: Σ credit × converted customer''s MRR now',
    last_touch_revenue = 'Attributed revenue, last touch',
    linear_revenue = 'Attributed revenue, linear',
    time_decay_revenue = 'Attributed revenue, time decay',
    u_shaped_revenue = 'Attributed revenue, U-shaped',
    first_touch_roi = '(first_touch_revenue − spend) ÷ spend; NULL without spend',
    last_touch_roi = '(last_touch_revenue − spend) ÷ spend',
    linear_roi = '(linear_revenue − spend) ÷ spend',
    time_decay_roi = '(time_decay_revenue − spend) ÷ spend',
    u_shaped_roi = '(u_shaped_revenue − spend) ÷ spend',
    first_report_date = 'First day with delivery reported',
    last_report_date = 'Last day with delivery reported'
  )
);

WITH delivery AS (
  SELECT
    campaign_key,
    MIN(platform) AS platform,
    MIN(campaign_id) AS campaign_id,
    SUM(spend) AS spend,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    SUM(conversions) AS conversions,
    MIN(report_date) AS first_report_date,
    MAX(report_date) AS last_report_date
  FROM intermediate.int_ads__daily_delivery
  GROUP BY campaign_key
), attributed AS (
  SELECT
    campaign_key,
    COUNT(*) AS attributed_touches,
    SUM(first_touch_credit) AS first_touch_conversions,
    SUM(last_touch_credit) AS last_touch_conversions,
    SUM(linear_credit) AS linear_conversions,
    SUM(time_decay_credit) AS time_decay_conversions,
    SUM(u_shaped_credit) AS u_shaped_conversions,
    SUM(first_touch_credit * converted_mrr) AS first_touch_revenue,
    SUM(last_touch_credit * converted_mrr) AS last_touch_revenue,
    SUM(linear_credit * converted_mrr) AS linear_revenue,
    SUM(time_decay_credit * converted_mrr) AS time_decay_revenue,
    SUM(u_shaped_credit * converted_mrr) AS u_shaped_revenue
  FROM marts.marketing_attribution
  WHERE channel IN ('google_ads', 'meta_ads', 'linkedin_ads') AND campaign_key IS NOT NULL
  GROUP BY campaign_key
), keys AS (
  SELECT campaign_key FROM entity.entity_campaigns
  UNION
  SELECT campaign_key FROM delivery
  UNION
  SELECT campaign_key FROM attributed
), joined AS (
  SELECT
    k.campaign_key,
    SPLIT_PART(k.campaign_key, ':', 1) AS platform,
    SUBSTRING(k.campaign_key FROM POSITION(':' IN k.campaign_key) + 1) AS campaign_id,
    c.campaign_name,
    c.campaign_status,
    c.currency,
    COALESCE(d.spend, 0) AS spend,
    COALESCE(d.impressions, 0) AS impressions,
    COALESCE(d.clicks, 0) AS clicks,
    COALESCE(d.conversions, 0) AS conversions,
    COALESCE(a.attributed_touches, 0) AS attributed_touches,
    COALESCE(a.first_touch_conversions, 0) AS first_touch_conversions,
    COALESCE(a.last_touch_conversions, 0) AS last_touch_conversions,
    COALESCE(a.linear_conversions, 0) AS linear_conversions,
    COALESCE(a.time_decay_conversions, 0) AS time_decay_conversions,
    COALESCE(a.u_shaped_conversions, 0) AS u_shaped_conversions,
    COALESCE(a.first_touch_revenue, 0) AS first_touch_revenue,
    COALESCE(a.last_touch_revenue, 0) AS last_touch_revenue,
    COALESCE(a.linear_revenue, 0) AS linear_revenue,
    COALESCE(a.time_decay_revenue, 0) AS time_decay_revenue,
    COALESCE(a.u_shaped_revenue, 0) AS u_shaped_revenue,
    d.first_report_date,
    d.last_report_date
  FROM keys AS k
  LEFT JOIN entity.entity_campaigns AS c
    ON c.campaign_key = k.campaign_key
  LEFT JOIN delivery AS d
    ON d.campaign_key = k.campaign_key
  LEFT JOIN attributed AS a
    ON a.campaign_key = k.campaign_key
  WHERE SPLIT_PART(k.campaign_key, ':', 1) IN ('google_ads', 'meta_ads', 'linkedin_ads')
)
SELECT
  /* ids */
  campaign_key::TEXT AS campaign_key,
  platform::TEXT AS platform,
  campaign_id::TEXT AS campaign_id,
  /* attributes */
  campaign_name::TEXT AS campaign_name,
  campaign_status::TEXT AS campaign_status,
  currency::TEXT AS currency,
  /* measures: delivery */
  spend::NUMERIC(18, 2) AS spend,
  impressions::BIGINT AS impressions,
  clicks::BIGINT AS clicks,
  conversions::NUMERIC(18, 2) AS conversions,
  ROUND(clicks::NUMERIC / NULLIF(impressions, 0), 4)::NUMERIC(6, 4) AS click_through_rate,
  ROUND(spend / NULLIF(clicks, 0), 2)::NUMERIC(18, 2) AS cost_per_click,
  ROUND(spend / NULLIF(conversions, 0), 2)::NUMERIC(18, 2) AS cost_per_conversion,
  /* measures: attribution */
  attributed_touches::INT AS attributed_touches,
  ROUND(first_touch_conversions, 4)::NUMERIC(18, 4) AS first_touch_conversions,
  ROUND(last_touch_conversions, 4)::NUMERIC(18, 4) AS last_touch_conversions,
  ROUND(linear_conversions, 4)::NUMERIC(18, 4) AS linear_conversions,
  ROUND(time_decay_conversions, 4)::NUMERIC(18, 4) AS time_decay_conversions,
  ROUND(u_shaped_conversions, 4)::NUMERIC(18, 4) AS u_shaped_conversions,
  ROUND(first_touch_revenue, 2)::NUMERIC(18, 2) AS first_touch_revenue,
  ROUND(last_touch_revenue, 2)::NUMERIC(18, 2) AS last_touch_revenue,
  ROUND(linear_revenue, 2)::NUMERIC(18, 2) AS linear_revenue,
  ROUND(time_decay_revenue, 2)::NUMERIC(18, 2) AS time_decay_revenue,
  ROUND(u_shaped_revenue, 2)::NUMERIC(18, 2) AS u_shaped_revenue,
  ROUND((first_touch_revenue - spend) / NULLIF(spend, 0), 4)::NUMERIC(18, 4) AS first_touch_roi,
  ROUND((last_touch_revenue - spend) / NULLIF(spend, 0), 4)::NUMERIC(18, 4) AS last_touch_roi,
  ROUND((linear_revenue - spend) / NULLIF(spend, 0), 4)::NUMERIC(18, 4) AS linear_roi,
  ROUND((time_decay_revenue - spend) / NULLIF(spend, 0), 4)::NUMERIC(18, 4) AS time_decay_roi,
  ROUND((u_shaped_revenue - spend) / NULLIF(spend, 0), 4)::NUMERIC(18, 4) AS u_shaped_roi,
  /* timestamps */
  first_report_date::DATE AS first_report_date,
  last_report_date::DATE AS last_report_date
FROM joined
