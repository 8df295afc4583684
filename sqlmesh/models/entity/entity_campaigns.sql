/* One row per ad campaign across Google Ads, Meta Ads and LinkedIn Ads (platform column), as the
   platforms hold them now, with lifetime and 30-day delivery (spend, impressions, clicks,
   conversions as each platform reports them) and the app sign-ups attributed to it: accounts
   whose sign-up utm_source and utm_campaign are the campaign's. A campaign's utm pair is the one
   most of its landings carried; a campaign with no landings falls back to its name as
   utm_campaign and the platform's usual utm_source. Delivery comes from
   intermediate.int_ads__daily_delivery; spend is in the campaign's currency. */
MODEL (
  name entity.entity_campaigns,
  kind FULL,
  grain campaign_key,
  audits (
    unique_values(columns := (campaign_key)),
    not_null(columns := (campaign_key, platform, campaign_id, spend, impressions, clicks, conversions, signups)),
    accepted_values(column := platform, is_in := ('google_ads', 'meta_ads', 'linkedin_ads')),
    assert_non_negative(columns := (
      spend, impressions, clicks, conversions, signups, spend_30d, impressions_30d, clicks_30d,
      conversions_30d, signups_30d, landings, daily_budget
    )),
    assert_in_range(columns := (click_through_rate), max_v := 1)
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id>',
    platform = 'google_ads, meta_ads or linkedin_ads',
    campaign_id = 'The platform''s campaign id',
    utm_source = 'utm_source of the campaign''s landings (most common)',
    utm_campaign = 'utm_campaign of the campaign''s landings (most common); sign-ups are attributed by it',
    spend = 'Lifetime spend reported, campaign currency',
    conversions = 'Conversions as the platform reports them',
    signups = 'App accounts that signed up with the campaign''s utm_source and utm_campaign',
    landings = 'Ad clicks / landings recorded on the landing page',
    click_through_rate = 'clicks ÷ impressions, 0-1; NULL without impressions',
    cost_per_click = 'spend ÷ clicks; NULL without clicks',
    cost_per_signup = 'spend ÷ signups; NULL without sign-ups'
  )
);

WITH campaigns AS (
  SELECT 'google_ads' AS platform, campaign_id::TEXT AS campaign_id, campaign_name, campaign_status,
    currency_code AS currency, daily_budget::NUMERIC AS daily_budget, start_date::TIMESTAMPTZ AS started_at
  FROM staging.stg_google_ads__campaigns
  UNION ALL
  SELECT 'meta_ads', c.campaign_id::TEXT, c.campaign_name, c.campaign_status, a.currency, c.daily_budget::NUMERIC,
    c.start_at::TIMESTAMPTZ
  FROM staging.stg_meta_ads__campaigns AS c
  LEFT JOIN staging.stg_meta_ads__ad_accounts AS a
    ON c.account_id IN (a.ad_account_id, a.account_id)
  UNION ALL
  SELECT 'linkedin_ads', campaign_id::TEXT, campaign_name, campaign_status, currency_code, daily_budget::NUMERIC,
    run_start_at::TIMESTAMPTZ
  FROM staging.stg_linkedin_ads__campaigns
), delivery_totals AS (
  SELECT
    platform,
    campaign_id,
    SUM(spend) AS spend,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    SUM(conversions) AS conversions,
    SUM(spend) FILTER (WHERE report_date > (@execution_ts::TIMESTAMP)::DATE - 30) AS spend_30d,
    SUM(impressions) FILTER (WHERE report_date > (@execution_ts::TIMESTAMP)::DATE - 30) AS impressions_30d,
    SUM(clicks) FILTER (WHERE report_date > (@execution_ts::TIMESTAMP)::DATE - 30) AS clicks_30d,
    SUM(conversions) FILTER (WHERE report_date > (@execution_ts::TIMESTAMP)::DATE - 30) AS conversions_30d,
    MIN(report_date) AS first_report_date,
    MAX(report_date) AS last_report_date
  FROM intermediate.int_ads__daily_delivery
  GROUP BY 1, 2
), landings AS (
  SELECT 'google_ads' AS platform, campaign_id::TEXT AS campaign_id, utm_source, utm_campaign
  FROM staging.stg_google_ads__click_views
  UNION ALL
  SELECT 'meta_ads', campaign_id::TEXT, utm_source, utm_campaign FROM staging.stg_meta_ads__landings
  UNION ALL
  SELECT 'linkedin_ads', campaign_id::TEXT, utm_source, utm_campaign FROM staging.stg_linkedin_ads__landings
), utm AS (
  SELECT DISTINCT ON (platform, campaign_id)
    platform, campaign_id, utm_source, utm_campaign, SUM(n) OVER (PARTITION BY platform, campaign_id) AS landings
  FROM (
    SELECT platform, campaign_id, utm_source, utm_campaign, COUNT(*) AS n
    FROM landings
    WHERE utm_campaign IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ) AS counted
  ORDER BY platform, campaign_id, n DESC, utm_campaign, utm_source
), platform_source AS (
  SELECT DISTINCT ON (platform) platform, utm_source
  FROM landings
  WHERE utm_source IS NOT NULL
  GROUP BY platform, utm_source
  ORDER BY platform, COUNT(*) DESC, utm_source
), keyed AS (
  SELECT
    c.*,
    COALESCE(u.utm_source, ps.utm_source) AS utm_source,
    COALESCE(u.utm_campaign, c.campaign_name) AS utm_campaign,
    COALESCE(u.landings, 0) AS landings
  FROM campaigns AS c
  LEFT JOIN utm AS u
    ON u.platform = c.platform AND u.campaign_id = c.campaign_id
  LEFT JOIN platform_source AS ps
    ON ps.platform = c.platform
), signups AS (
  SELECT
    utm_source,
    utm_campaign,
    COUNT(*) AS signups,
    COUNT(*) FILTER (WHERE created_at > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - INTERVAL '30 days') AS signups_30d
  FROM staging.stg_app__accounts
  WHERE utm_campaign IS NOT NULL
  GROUP BY 1, 2
)
SELECT
  /* ids */
  (k.platform || ':' || k.campaign_id)::TEXT AS campaign_key,
  k.platform::TEXT AS platform,
  k.campaign_id::TEXT AS campaign_id,
  /* attributes */
  k.campaign_name::TEXT AS campaign_name,
  k.campaign_status::TEXT AS campaign_status,
  k.currency::TEXT AS currency,
  k.utm_source::TEXT AS utm_source,
  k.utm_campaign::TEXT AS utm_campaign,
  k.daily_budget::NUMERIC(18, 2) AS daily_budget,
  /* measures */
  COALESCE(d.spend, 0)::NUMERIC(18, 2) AS spend,
  COALESCE(d.impressions, 0)::BIGINT AS impressions,
  COALESCE(d.clicks, 0)::BIGINT AS clicks,
  COALESCE(d.conversions, 0)::NUMERIC(18, 2) AS conversions,
  COALESCE(s.signups, 0)::INT AS signups,
  COALESCE(d.spend_30d, 0)::NUMERIC(18, 2) AS spend_30d,
  COALESCE(d.impressions_30d, 0)::BIGINT AS impressions_30d,
  COALESCE(d.clicks_30d, 0)::BIGINT AS clicks_30d,
  COALESCE(d.conversions_30d, 0)::NUMERIC(18, 2) AS conversions_30d,
  COALESCE(s.signups_30d, 0)::INT AS signups_30d,
  k.landings::INT AS landings,
  ROUND(d.clicks / NULLIF(d.impressions, 0), 4)::NUMERIC(6, 4) AS click_through_rate,
  ROUND(d.spend / NULLIF(d.clicks, 0), 2)::NUMERIC(18, 2) AS cost_per_click,
  ROUND(d.spend / NULLIF(s.signups, 0), 2)::NUMERIC(18, 2) AS cost_per_signup,
  /* timestamps */
  d.first_report_date::DATE AS first_report_date,
  d.last_report_date::DATE AS last_report_date,
  k.started_at::TIMESTAMPTZ AS started_at
FROM keyed AS k
LEFT JOIN delivery_totals AS d
  ON d.platform = k.platform AND d.campaign_id = k.campaign_id
LEFT JOIN signups AS s
  ON s.utm_source IS NOT DISTINCT FROM k.utm_source AND s.utm_campaign = k.utm_campaign
