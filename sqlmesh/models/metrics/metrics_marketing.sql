/* One row per marketing channel per UTC day (metric_date), from the first day of ad delivery the
   warehouse holds. Channels: google_ads, meta_ads, linkedin_ads (paid), email (Iterable) and
   other (organic, referral, partner, outbound: everything no campaign explains).
   A sign-up (new customer, an app account) and a HubSpot contact belong to the ad platform whose
   campaign carries their utm_source and utm_campaign (the rule of entity_campaigns_daily), to
   email when their utm_source is iterable, else to other.
   Day measures (that day only): total_ad_spend_active (spend reported for the day: only running
   campaigns spend), impressions, website_sessions (ad clicks landing on the website; Iterable
   email clicks; NULL for other, whose web traffic no source tracks), new_customers and their
   MRR now, leads (contacts created) and total_mqls (of them, those now at MQL or beyond), emails.
   Rates over the trailing 30 days ending on the day (daily counts are too small to divide):
     overall_roi               (12 × MRR of the channel's new customers − spend) ÷ spend: the first-year
                               ARR return (-1 = nothing back, 0 = paid back in a year)
     lead_conversion_rate      share of the leads (contacts created) who are customers now
     cost_per_mql              spend ÷ MQLs
     avg_touchpoints_to_conversion  mean touches (int_marketing__touchpoints) before sign-up of the new customers
     website_conversion_rate   new customers ÷ website sessions
     customer_acquisition_cost spend ÷ new customers (DESIGN.md §8 CAC, per channel)
     email_open_rate / email_click_rate  share of the emails delivered (sent − bounced) opened / clicked by that day
     lifetime_value_cac_ratio  LTV of the day's month (marts.revenue_monthly.ltv, DESIGN.md §8) ÷ the
                               channel's customer_acquisition_cost
   Rates and ratios are fractions (0-1 for shares). Spend-based ones are NULL for email and
   other (no spend is recorded for them). Incremental on
   the day; the ad platforms restate three days, so every run rebuilds the last three. */
MODEL (
  name metrics.metrics_marketing,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 3
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner marketing_analytics,
  grain (metric_date, channel),
  audits (
    unique_combination_of_columns(columns := (metric_date, channel)),
    not_null(columns := (
      metric_date, channel, channel_type, total_ad_spend_active, impressions, new_customers,
      new_customer_mrr, leads, total_mqls, emails_sent, emails_delivered, emails_opened, emails_clicked
    )),
    accepted_values(column := channel, is_in := ('google_ads', 'meta_ads', 'linkedin_ads', 'email', 'other')),
    accepted_values(column := channel_type, is_in := ('paid', 'owned', 'other')),
    assert_in_range(columns := (lead_conversion_rate, email_open_rate, email_click_rate), max_v := 1),
    assert_in_range(columns := (overall_roi), min_v := -1, max_v := 1000000000),
    assert_non_negative(columns := (
      total_ad_spend_active, impressions, website_sessions, new_customers, new_customer_mrr, leads,
      total_mqls, emails_sent, emails_delivered, emails_opened, emails_clicked, cost_per_mql,
      avg_touchpoints_to_conversion, website_conversion_rate, customer_acquisition_cost, ad_spend_30d,
      lifetime_value_cac_ratio, new_customers_30d
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    channel = 'google_ads, meta_ads, linkedin_ads, email or other',
    channel_type = 'paid (ad platforms), owned (email) or other',
    total_ad_spend_active = 'Ad spend reported for the day (only running campaigns spend); 0 for email and other',
    impressions = 'Ad impressions of the day',
    website_sessions = 'Visits to the website from the channel that day: ad clicks (landing-page clicks) or email clicks; NULL for other (untracked)',
    new_customers = 'App accounts created that day and attributed to the channel',
    new_customer_mrr = 'The MRR those accounts pay now',
    leads = 'HubSpot contacts created that day and attributed to the channel',
    total_mqls = 'Of those contacts, the ones now at marketingqualifiedlead or beyond (SQL, opportunity, customer)',
    emails_sent = 'Iterable emails sent that day (email only)',
    emails_delivered = 'Sent less bounced',
    emails_opened = 'Of the emails sent that day, those opened by the end of the metric day',
    emails_clicked = 'Of the emails sent that day, those clicked by the end of the metric day',
    ad_spend_30d = 'Spend of the trailing 30 days',
    new_customers_30d = 'New customers of the trailing 30 days',
    overall_roi = '(12 × new_customer_mrr − spend) ÷ spend over 30 days (-1 = nothing back); NULL without spend',
    lead_conversion_rate = 'Share (0-1) of the 30 days'' leads who are customers now',
    cost_per_mql = '30 days'' spend ÷ MQLs; NULL without spend or MQLs',
    avg_touchpoints_to_conversion = 'Mean touches before sign-up of the 30 days'' new customers',
    website_conversion_rate = '30 days'' new customers ÷ website sessions',
    customer_acquisition_cost = '30 days'' spend ÷ new customers (CAC); NULL without spend or new customers',
    email_open_rate = 'Share (0-1) of the 30 days'' delivered emails opened by the day',
    email_click_rate = 'Share (0-1) of the 30 days'' delivered emails clicked by the day',
    lifetime_value_cac_ratio = 'marts.revenue_monthly.ltv of the month ÷ customer_acquisition_cost; NULL without either'
  )
);

WITH bounds AS (
  SELECT MIN(report_date) AS first_day FROM entity.entity_campaigns_daily
), days AS (
  SELECT d::DATE AS metric_date
  FROM GENERATE_SERIES(
    GREATEST(@start_ds::DATE - 29, (SELECT first_day FROM bounds)),
    LEAST(@end_ds::DATE, (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC' AT TIME ZONE 'UTC')::DATE),
    INTERVAL '1 day'
  ) AS d
), channels AS (
  SELECT channel, channel_type
  FROM (VALUES
    ('google_ads', 'paid'), ('meta_ads', 'paid'), ('linkedin_ads', 'paid'), ('email', 'owned'), ('other', 'other')
  ) AS v(channel, channel_type)
), ads AS (
  SELECT platform AS channel, report_date AS metric_date, SUM(spend) AS spend, SUM(impressions) AS impressions,
    SUM(clicks) AS clicks
  FROM entity.entity_campaigns_daily
  WHERE report_date BETWEEN @start_ds::DATE - 29 AND @end_ds
  GROUP BY 1, 2
), accounts AS (
  SELECT
    a.account_id,
    (a.created_at AT TIME ZONE 'UTC')::DATE AS signup_date,
    COALESCE(
      (SELECT MIN(c.platform) FROM entity.entity_campaigns AS c
       WHERE c.utm_campaign = a.utm_campaign AND c.utm_source IS NOT DISTINCT FROM a.utm_source),
      CASE WHEN a.utm_source = 'iterable' THEN 'email' END,
      'other'
    ) AS channel
  FROM staging.stg_app__accounts AS a
  WHERE (a.created_at AT TIME ZONE 'UTC')::DATE BETWEEN @start_ds::DATE - 29 AND @end_ds
), touches AS (
  SELECT account_id, COUNT(*) AS touches
  FROM intermediate.int_marketing__touchpoints
  WHERE is_before_signup AND account_id IS NOT NULL
  GROUP BY 1
), signups AS (
  SELECT
    a.channel,
    a.signup_date AS metric_date,
    COUNT(*) AS new_customers,
    SUM(COALESCE(c.monthly_recurring_revenue, 0)) AS new_customer_mrr,
    SUM(COALESCE(t.touches, 0)) AS touches
  FROM accounts AS a
  LEFT JOIN entity.entity_customers AS c
    ON c.account_id = a.account_id
  LEFT JOIN touches AS t
    ON t.account_id = a.account_id
  GROUP BY 1, 2
), contacts AS (
  SELECT
    COALESCE(
      (SELECT MIN(c.platform) FROM entity.entity_campaigns AS c
       WHERE c.utm_campaign = k.utm_campaign AND c.utm_source IS NOT DISTINCT FROM k.utm_source),
      CASE WHEN k.utm_source = 'iterable' THEN 'email' END,
      'other'
    ) AS channel,
    (k.created_at AT TIME ZONE 'UTC')::DATE AS metric_date,
    COUNT(*) AS leads,
    COUNT(*) FILTER (
      WHERE k.lifecycle_stage IN ('marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer')
    ) AS mqls,
    COUNT(*) FILTER (WHERE k.lifecycle_stage = 'customer') AS converted
  FROM staging.stg_hubspot__contacts AS k
  WHERE
    NOT COALESCE(k.is_deleted, FALSE)
    AND (k.created_at AT TIME ZONE 'UTC')::DATE BETWEEN @start_ds::DATE - 29 AND @end_ds
  GROUP BY 1, 2
), sends AS (
  SELECT
    s.message_id,
    (s.created_at AT TIME ZONE 'UTC')::DATE AS send_date
  FROM staging.stg_iterable__email_sends AS s
  WHERE (s.created_at AT TIME ZONE 'UTC')::DATE BETWEEN @start_ds::DATE - 29 AND @end_ds
), outcomes AS (
  /* The first bounce, open and click of each message (they all follow its send). */
  SELECT message_id, MIN(at_date) FILTER (WHERE kind = 'bounce') AS bounced_on,
    MIN(at_date) FILTER (WHERE kind = 'open') AS opened_on, MIN(at_date) FILTER (WHERE kind = 'click') AS clicked_on
  FROM (
    SELECT message_id, 'bounce' AS kind, (created_at AT TIME ZONE 'UTC')::DATE AS at_date
    FROM staging.stg_iterable__email_bounces
    WHERE (created_at AT TIME ZONE 'UTC')::DATE >= @start_ds::DATE - 29
    UNION ALL
    SELECT message_id, 'open', (created_at AT TIME ZONE 'UTC')::DATE
    FROM staging.stg_iterable__email_opens
    WHERE (created_at AT TIME ZONE 'UTC')::DATE >= @start_ds::DATE - 29
    UNION ALL
    SELECT message_id, 'click', (created_at AT TIME ZONE 'UTC')::DATE
    FROM staging.stg_iterable__email_clicks
    WHERE (created_at AT TIME ZONE 'UTC')::DATE >= @start_ds::DATE - 29
  ) AS events
  GROUP BY 1
), email_events AS (
  SELECT s.send_date, s.message_id, o.bounced_on, o.opened_on, o.clicked_on
  FROM sends AS s
  LEFT JOIN outcomes AS o
    ON o.message_id = s.message_id
), email_daily AS (
  /* As seen at the end of each metric day: the emails sent that day, and the outcomes of the
     emails of the trailing 30 days known by then. */
  SELECT
    d.metric_date,
    COUNT(*) FILTER (WHERE e.send_date = d.metric_date) AS sent,
    COUNT(*) FILTER (WHERE e.send_date = d.metric_date AND (e.bounced_on IS NULL OR e.bounced_on > d.metric_date))
      AS delivered,
    COUNT(*) FILTER (WHERE e.send_date = d.metric_date AND e.opened_on <= d.metric_date) AS opened,
    COUNT(*) FILTER (WHERE e.send_date = d.metric_date AND e.clicked_on <= d.metric_date) AS clicked,
    COUNT(*) FILTER (WHERE e.bounced_on IS NULL OR e.bounced_on > d.metric_date) AS delivered_30d,
    COUNT(*) FILTER (WHERE e.opened_on <= d.metric_date) AS opened_30d,
    COUNT(*) FILTER (WHERE e.clicked_on <= d.metric_date) AS clicked_30d
  FROM days AS d
  JOIN email_events AS e
    ON e.send_date BETWEEN d.metric_date - 29 AND d.metric_date
  GROUP BY 1
), email_clicks AS (
  SELECT (created_at AT TIME ZONE 'UTC')::DATE AS metric_date, COUNT(*) AS clicks
  FROM staging.stg_iterable__email_clicks
  WHERE (created_at AT TIME ZONE 'UTC')::DATE BETWEEN @start_ds::DATE - 29 AND @end_ds
  GROUP BY 1
), daily AS (
  SELECT
    d.metric_date,
    ch.channel,
    ch.channel_type,
    COALESCE(a.spend, 0) AS spend,
    COALESCE(a.impressions, 0) AS impressions,
    (CASE
      WHEN ch.channel_type = 'paid' THEN COALESCE(a.clicks, 0)
      WHEN ch.channel = 'email' THEN COALESCE(ec.clicks, 0)
    END) AS website_sessions,
    COALESCE(s.new_customers, 0) AS new_customers,
    COALESCE(s.new_customer_mrr, 0) AS new_customer_mrr,
    COALESCE(s.touches, 0) AS touches,
    COALESCE(k.leads, 0) AS leads,
    COALESCE(k.mqls, 0) AS mqls,
    COALESCE(k.converted, 0) AS converted,
    (CASE WHEN ch.channel = 'email' THEN COALESCE(e.sent, 0) ELSE 0 END) AS sent,
    (CASE WHEN ch.channel = 'email' THEN COALESCE(e.delivered, 0) ELSE 0 END) AS delivered,
    (CASE WHEN ch.channel = 'email' THEN COALESCE(e.opened, 0) ELSE 0 END) AS opened,
    (CASE WHEN ch.channel = 'email' THEN COALESCE(e.clicked, 0) ELSE 0 END) AS clicked,
    (CASE WHEN ch.channel = 'email' THEN e.delivered_30d END) AS delivered_30d,
    (CASE WHEN ch.channel = 'email' THEN e.opened_30d END) AS opened_30d,
    (CASE WHEN ch.channel = 'email' THEN e.clicked_30d END) AS clicked_30d
  FROM days AS d
  CROSS JOIN channels AS ch
  LEFT JOIN ads AS a
    ON a.channel = ch.channel AND a.metric_date = d.metric_date
  LEFT JOIN signups AS s
    ON s.channel = ch.channel AND s.metric_date = d.metric_date
  LEFT JOIN contacts AS k
    ON k.channel = ch.channel AND k.metric_date = d.metric_date
  LEFT JOIN email_daily AS e
    ON e.metric_date = d.metric_date
  LEFT JOIN email_clicks AS ec
    ON ec.metric_date = d.metric_date
), rolled AS (
  SELECT
    *,
    SUM(spend) OVER w AS spend_30d,
    SUM(website_sessions) OVER w AS sessions_30d,
    SUM(new_customers) OVER w AS new_customers_30d,
    SUM(new_customer_mrr) OVER w AS new_mrr_30d,
    SUM(touches) OVER w AS touches_30d,
    SUM(leads) OVER w AS leads_30d,
    SUM(mqls) OVER w AS mqls_30d,
    SUM(converted) OVER w AS converted_30d
  FROM daily
  WINDOW w AS (PARTITION BY channel ORDER BY metric_date ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)
)
SELECT
  /* ids */
  metric_date::DATE AS metric_date,
  channel::TEXT AS channel,
  /* attributes */
  channel_type::TEXT AS channel_type,
  /* spend */
  spend::NUMERIC(18, 2) AS total_ad_spend_active,
  impressions::BIGINT AS impressions,
  /* website */
  website_sessions::BIGINT AS website_sessions,
  /* acquisition and leads */
  new_customers::INT AS new_customers,
  new_customer_mrr::NUMERIC(18, 2) AS new_customer_mrr,
  leads::INT AS leads,
  mqls::INT AS total_mqls,
  /* email */
  sent::INT AS emails_sent,
  delivered::INT AS emails_delivered,
  opened::INT AS emails_opened,
  clicked::INT AS emails_clicked,
  /* trailing 30 days */
  spend_30d::NUMERIC(18, 2) AS ad_spend_30d,
  new_customers_30d::INT AS new_customers_30d,
  ROUND((12 * new_mrr_30d - spend_30d) / NULLIF(spend_30d, 0), 4)::NUMERIC(18, 4) AS overall_roi,
  @ratio_of(converted_30d, leads_30d)::NUMERIC(5, 4) AS lead_conversion_rate,
  ROUND(spend_30d / NULLIF(mqls_30d, 0) / (CASE WHEN spend_30d > 0 THEN 1 END), 2)::NUMERIC(18, 2) AS cost_per_mql,
  ROUND(touches_30d::NUMERIC / NULLIF(new_customers_30d, 0), 2)::NUMERIC(10, 2) AS avg_touchpoints_to_conversion,
  @ratio_of(new_customers_30d, sessions_30d)::NUMERIC(10, 4) AS website_conversion_rate,
  ROUND(spend_30d / NULLIF(new_customers_30d, 0) / (CASE WHEN spend_30d > 0 THEN 1 END), 2)::NUMERIC(18, 2)
    AS customer_acquisition_cost,
  @ratio_of(opened_30d, delivered_30d)::NUMERIC(5, 4) AS email_open_rate,
  @ratio_of(clicked_30d, delivered_30d)::NUMERIC(5, 4) AS email_click_rate,
  ROUND(
    rm.ltv / NULLIF(spend_30d / NULLIF(new_customers_30d, 0) / (CASE WHEN spend_30d > 0 THEN 1 END), 0), 4
  )::NUMERIC(14, 4) AS lifetime_value_cac_ratio
FROM rolled
LEFT JOIN (SELECT month_start, ltv FROM marts.revenue_monthly) AS rm
  ON rm.month_start = DATE_TRUNC('month', rolled.metric_date)::DATE
WHERE rolled.metric_date BETWEEN @start_ds AND @end_ds
