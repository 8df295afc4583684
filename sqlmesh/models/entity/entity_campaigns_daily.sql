/* One row per ad campaign per report day, unified across Google Ads, Meta Ads and LinkedIn Ads:
   spend, impressions, clicks and conversions as the platform reports them for the day, landings
   recorded that day, and the app sign-ups of the day attributed to the campaign by its utm pair
   (entity_campaigns.utm_source / utm_campaign). Incremental on the day; the platforms restate
   the last days' conversions and spend, so every run rebuilds the last three days. */
MODEL (
  name entity.entity_campaigns_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column report_date,
    lookback 3
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (campaign_key, report_date),
  audits (
    unique_combination_of_columns(columns := (campaign_key, report_date)),
    not_null(columns := (campaign_key, platform, campaign_id, report_date, spend, impressions, clicks, conversions, signups)),
    assert_non_negative(columns := (spend, impressions, clicks, conversions, landings, signups))
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id> (entity_campaigns.campaign_key)',
    platform = 'google_ads, meta_ads or linkedin_ads',
    report_date = 'The platform''s report day',
    spend = 'Spend reported for the day, campaign currency',
    landings = 'Ad clicks / landings recorded on the landing page that UTC day',
    signups = 'App accounts created that UTC day with the campaign''s utm_source and utm_campaign'
  )
);

WITH delivery_days AS (
  SELECT campaign_key, report_date, spend, impressions, clicks, conversions
  FROM intermediate.int_ads__daily_delivery
  WHERE report_date BETWEEN @start_ds AND @end_ds
), landing_days AS (
  SELECT campaign_key, (touched_at AT TIME ZONE 'UTC')::DATE AS report_date, COUNT(*) AS landings
  FROM intermediate.int_marketing__touchpoints
  WHERE
    channel IN ('google_ads', 'meta_ads', 'linkedin_ads')
    AND touched_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND touched_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), signup_days AS (
  SELECT c.campaign_key, (a.created_at AT TIME ZONE 'UTC')::DATE AS report_date, COUNT(*) AS signups
  FROM staging.stg_app__accounts AS a
  JOIN entity.entity_campaigns AS c
    ON c.utm_campaign = a.utm_campaign AND c.utm_source IS NOT DISTINCT FROM a.utm_source
  WHERE
    a.created_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND a.created_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), keys AS (
  SELECT campaign_key, report_date FROM delivery_days
  UNION
  SELECT campaign_key, report_date FROM landing_days WHERE campaign_key IS NOT NULL
  UNION
  SELECT campaign_key, report_date FROM signup_days
)
SELECT
  /* ids */
  k.campaign_key::TEXT AS campaign_key,
  SPLIT_PART(k.campaign_key, ':', 1)::TEXT AS platform,
  SUBSTRING(k.campaign_key FROM POSITION(':' IN k.campaign_key) + 1)::TEXT AS campaign_id,
  /* measures */
  COALESCE(d.spend, 0)::NUMERIC(18, 2) AS spend,
  COALESCE(d.impressions, 0)::BIGINT AS impressions,
  COALESCE(d.clicks, 0)::BIGINT AS clicks,
  COALESCE(d.conversions, 0)::NUMERIC(18, 2) AS conversions,
  COALESCE(l.landings, 0)::INT AS landings,
  COALESCE(s.signups, 0)::INT AS signups,
  /* timestamps */
  k.report_date::DATE AS report_date
FROM keys AS k
LEFT JOIN delivery_days AS d
  ON d.campaign_key = k.campaign_key AND d.report_date = k.report_date
LEFT JOIN landing_days AS l
  ON l.campaign_key = k.campaign_key AND l.report_date = k.report_date
LEFT JOIN signup_days AS s
  ON s.campaign_key = k.campaign_key AND s.report_date = k.report_date;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (report_date));
