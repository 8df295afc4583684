/* One row per sales rep (HubSpot owner: the Sales team's, anyone else owning a deal, and
   'unassigned' for deals without an owner) per UTC day (metric_date), from the day the first deal
   was created. Everything is as it stood at the end of the day (the next midnight, or now for
   today), rebuilt from the CRM star:
     pipeline   open deals at the end of the day from crm.fact_deal_stage_history (the stage visit
                valid then): total_pipeline_value (amounts), open_opportunities,
                forecast_amount = Σ amount × stage win probability of the open deals expected to
                close (crm.fact_deals.expected_close_date) in the day's month,
                stalled_deal_count = open deals in their stage for more than STALLED_DEAL_DAYS (30);
                pipeline_coverage_ratio = total_pipeline_value ÷ the month's quota
     performance  deals_won_mtd / revenue_closed_mtd: deals won (closed_at) from the 1st of the
                month to the day; quota_attainment_pct = revenue_closed_mtd ÷ quota × 100
                (crm.sales_quotas); win_rate = won ÷ (won + lost) over deals closed in the
                trailing 90 days (DESIGN.md §8)
     efficiency avg_deal_size and avg_sales_cycle_days (created → closed) of the deals won in the
                trailing 90 days
     activity   calls made, emails sent and meetings held (completed, crm.fact_activities) in the
                trailing 30 days
     leads      total_mqls: the rep's HubSpot contacts created in the trailing 30 days that are now
                at marketingqualifiedlead or beyond; mql_conversion_rate: share of the rep's MQL-or-beyond
                contacts created in the trailing 90 days that are now opportunities or customers
     renewal_rate  Stripe renewals of the rep's customers (int_customers__core.hubspot_owner_id) in
                the trailing 90 days: renewal invoices (billing_reason subscription_cycle) ÷
                (renewals + subscriptions that ended)
   Ratios are NULL when their denominator is 0; *_rate and *_ratio are fractions (0-1), *_pct
   percentages. Amounts in USD (the CRM's unit).
   Incremental on the day, rebuilding today and yesterday. */
MODEL (
  name metrics.metrics_sales,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner sales_analytics,
  grain (metric_date, owner_id),
  audits (
    unique_combination_of_columns(columns := (metric_date, owner_id)),
    not_null(columns := (
      metric_date, owner_id, total_pipeline_value, open_opportunities, forecast_amount, stalled_deal_count,
      deals_won_mtd, revenue_closed_mtd, deals_won_90d, deals_lost_90d, calls_made_30d, emails_sent_30d,
      meetings_held_30d, total_mqls
    )),
    assert_in_range(columns := (win_rate, mql_conversion_rate, renewal_rate), max_v := 1),
    assert_non_negative(columns := (
      total_pipeline_value, open_opportunities, pipeline_coverage_ratio, forecast_amount, stalled_deal_count,
      deals_won_mtd, revenue_closed_mtd, quota_amount, quota_attainment_pct, deals_won_90d, deals_lost_90d, avg_deal_size,
      avg_sales_cycle_days, calls_made_30d, emails_sent_30d, meetings_held_30d, total_mqls
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day; states are as at its end (now, for today)',
    owner_id = 'The sales rep (HubSpot owner id); ''unassigned'' for deals without an owner',
    owner_name = 'The rep''s name (stg_hubspot__owners)',
    total_pipeline_value = 'Amount of the rep''s open deals at the end of the day, USD',
    open_opportunities = 'Open deals at the end of the day',
    pipeline_coverage_ratio = 'total_pipeline_value ÷ the month''s quota; NULL without a quota',
    forecast_amount = 'Weighted pipeline closing in the month: Σ amount × stage win probability of the open deals expected to close in the day''s month',
    stalled_deal_count = 'Open deals in their current stage for more than 30 days (STALLED_DEAL_DAYS)',
    deals_won_mtd = 'Deals won from the first of the month to the end of the day',
    revenue_closed_mtd = 'Their amounts, USD',
    quota_amount = 'The rep''s quota for the month (crm.sales_quotas); NULL without one',
    quota_attainment_pct = 'revenue_closed_mtd ÷ quota_amount × 100; NULL without a quota',
    deals_won_90d = 'Deals won in the trailing 90 days',
    deals_lost_90d = 'Deals lost in the trailing 90 days',
    win_rate = 'won ÷ (won + lost) of the deals closed in the trailing 90 days, 0-1; NULL without',
    avg_deal_size = 'Mean amount of the deals won in the trailing 90 days, USD',
    avg_sales_cycle_days = 'Mean days from creation to close of the deals won in the trailing 90 days',
    calls_made_30d = 'Completed calls in the trailing 30 days',
    emails_sent_30d = 'Sales emails sent (direction EMAIL) in the trailing 30 days',
    meetings_held_30d = 'Completed meetings in the trailing 30 days',
    total_mqls = 'The rep''s contacts created in the trailing 30 days now at MQL or beyond',
    mql_conversion_rate = 'Share (0-1) of the rep''s MQL-or-beyond contacts created in 90 days now opportunities or customers',
    renewal_rate = 'Renewals ÷ (renewals + ended subscriptions) of the rep''s customers over 90 days, 0-1; NULL without either'
  )
);

WITH deals AS (
  SELECT deal_id, COALESCE(owner_id, 'unassigned') AS owner_id, deal_status, amount, expected_close_date,
    closed_at, created_at
  FROM crm.fact_deals
  WHERE NOT is_deleted
), owners AS (
  SELECT owner_id FROM deals
  UNION
  SELECT owner_id FROM staging.stg_hubspot__owners WHERE team_name = 'Sales' AND NOT COALESCE(is_archived, FALSE)
), days AS (
  SELECT
    d::DATE AS metric_date,
    LEAST((d + INTERVAL '1 day')::TIMESTAMP AT TIME ZONE 'UTC', @execution_ts::TIMESTAMP AT TIME ZONE 'UTC')
      AS as_of,
    DATE_TRUNC('month', d)::DATE AS month_start
  FROM GENERATE_SERIES(
    GREATEST(@start_ds::DATE, (SELECT MIN(created_at AT TIME ZONE 'UTC')::DATE FROM deals)),
    LEAST(@end_ds::DATE, (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC' AT TIME ZONE 'UTC')::DATE),
    INTERVAL '1 day'
  ) AS d
), spine AS (
  SELECT d.metric_date, d.as_of, d.month_start, o.owner_id
  FROM days AS d
  CROSS JOIN owners AS o
), open_deals AS (
  SELECT
    s.metric_date,
    s.owner_id,
    COUNT(*) AS open_deals,
    SUM(h.amount) AS pipeline,
    SUM(h.amount * h.win_probability) FILTER (
      WHERE DATE_TRUNC('month', dl.expected_close_date) = s.month_start
    ) AS forecast,
    COUNT(*) FILTER (
      WHERE s.as_of - h.valid_from > INTERVAL '1 day' * @metrics_constant(STALLED_DEAL_DAYS)
    ) AS stalled
  FROM spine AS s
  JOIN deals AS dl
    ON dl.owner_id = s.owner_id
  JOIN crm.fact_deal_stage_history AS h
    ON h.deal_id = dl.deal_id
    AND h.valid_from < s.as_of
    AND (h.valid_to IS NULL OR h.valid_to >= s.as_of)
    AND NOT h.is_closed_stage
  GROUP BY 1, 2
), closed AS (
  SELECT
    s.metric_date,
    s.owner_id,
    COUNT(*) FILTER (WHERE dl.deal_status = 'won' AND dl.closed_at >= s.month_start::TIMESTAMP AT TIME ZONE 'UTC')
      AS won_mtd,
    SUM(dl.amount) FILTER (WHERE dl.deal_status = 'won' AND dl.closed_at >= s.month_start::TIMESTAMP AT TIME ZONE 'UTC')
      AS revenue_mtd,
    COUNT(*) FILTER (WHERE dl.deal_status = 'won' AND dl.closed_at > s.as_of - INTERVAL '90 days') AS won_90d,
    COUNT(*) FILTER (WHERE dl.deal_status = 'lost' AND dl.closed_at > s.as_of - INTERVAL '90 days') AS lost_90d,
    AVG(dl.amount) FILTER (WHERE dl.deal_status = 'won' AND dl.closed_at > s.as_of - INTERVAL '90 days')
      AS avg_won_amount,
    AVG(EXTRACT(EPOCH FROM dl.closed_at - dl.created_at) / 86400) FILTER (
      WHERE dl.deal_status = 'won' AND dl.closed_at > s.as_of - INTERVAL '90 days'
    ) AS avg_cycle_days
  FROM spine AS s
  JOIN deals AS dl
    ON dl.owner_id = s.owner_id
    AND dl.closed_at < s.as_of
    AND dl.closed_at > LEAST(s.month_start::TIMESTAMP AT TIME ZONE 'UTC', s.as_of - INTERVAL '90 days')
  GROUP BY 1, 2
), activities AS (
  SELECT
    s.metric_date,
    s.owner_id,
    COUNT(*) FILTER (WHERE a.activity_type = 'call') AS calls,
    COUNT(*) FILTER (WHERE a.activity_type = 'email' AND a.direction = 'EMAIL') AS emails,
    COUNT(*) FILTER (WHERE a.activity_type = 'meeting') AS meetings
  FROM spine AS s
  JOIN crm.fact_activities AS a
    ON a.owner_id = s.owner_id
    AND a.activity_date BETWEEN s.metric_date - 29 AND s.metric_date
    AND a.occurred_at < s.as_of
    AND a.is_completed
    AND NOT a.is_deleted
  GROUP BY 1, 2
), leads AS (
  SELECT
    s.metric_date,
    s.owner_id,
    COUNT(*) FILTER (WHERE c.created_at > s.as_of - INTERVAL '30 days') AS mqls_30d,
    COUNT(*) AS mqls_90d,
    COUNT(*) FILTER (WHERE c.lifecycle_stage IN ('opportunity', 'customer')) AS converted_90d
  FROM spine AS s
  JOIN staging.stg_hubspot__contacts AS c
    ON c.owner_id = s.owner_id
    AND c.created_at < s.as_of
    AND c.created_at > s.as_of - INTERVAL '90 days'
    AND c.lifecycle_stage IN ('marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer')
    AND NOT COALESCE(c.is_deleted, FALSE)
  GROUP BY 1, 2
), rep_customers AS (
  SELECT stripe_customer_id, hubspot_owner_id AS owner_id
  FROM intermediate.int_customers__core
  WHERE stripe_customer_id IS NOT NULL AND hubspot_owner_id IS NOT NULL
), renewal_events AS (
  /* A renewal is a subscription_cycle invoice; a non-renewal, a subscription that ended. */
  SELECT rc.owner_id, i.created_at AS happened_at, 1 AS renewed, 0 AS ended
  FROM staging.stg_stripe__invoices AS i
  JOIN rep_customers AS rc
    ON rc.stripe_customer_id = i.customer_id
  WHERE i.billing_reason = 'subscription_cycle' AND i.created_at >= (@start_ds::DATE - 91)::TIMESTAMP AT TIME ZONE 'UTC'
  UNION ALL
  SELECT rc.owner_id, sb.ended_at, 0, 1
  FROM staging.stg_stripe__subscriptions AS sb
  JOIN rep_customers AS rc
    ON rc.stripe_customer_id = sb.customer_id
  WHERE sb.ended_at >= (@start_ds::DATE - 91)::TIMESTAMP AT TIME ZONE 'UTC'
), renewals AS (
  SELECT s.metric_date, s.owner_id, SUM(e.renewed) AS renewed, SUM(e.ended) AS ended
  FROM spine AS s
  JOIN renewal_events AS e
    ON e.owner_id = s.owner_id AND e.happened_at < s.as_of AND e.happened_at > s.as_of - INTERVAL '90 days'
  GROUP BY 1, 2
), quotas AS (
  SELECT owner_id, quota_month, quota_amount FROM crm.sales_quotas
)
SELECT
  /* ids */
  s.metric_date::DATE AS metric_date,
  s.owner_id::TEXT AS owner_id,
  /* attributes */
  (CASE WHEN s.owner_id = 'unassigned' THEN 'Unassigned' ELSE TRIM(o.first_name || ' ' || o.last_name) END)::TEXT
    AS owner_name,
  /* pipeline */
  COALESCE(p.pipeline, 0)::NUMERIC(18, 2) AS total_pipeline_value,
  COALESCE(p.open_deals, 0)::INT AS open_opportunities,
  ROUND(COALESCE(p.pipeline, 0) / NULLIF(q.quota_amount, 0), 4)::NUMERIC(12, 4) AS pipeline_coverage_ratio,
  ROUND(COALESCE(p.forecast, 0), 2)::NUMERIC(18, 2) AS forecast_amount,
  COALESCE(p.stalled, 0)::INT AS stalled_deal_count,
  /* performance */
  COALESCE(c.won_mtd, 0)::INT AS deals_won_mtd,
  COALESCE(c.revenue_mtd, 0)::NUMERIC(18, 2) AS revenue_closed_mtd,
  q.quota_amount::NUMERIC(18, 2) AS quota_amount,
  ROUND(@pct(COALESCE(c.revenue_mtd, 0), q.quota_amount), 2)::NUMERIC(10, 2) AS quota_attainment_pct,
  COALESCE(c.won_90d, 0)::INT AS deals_won_90d,
  COALESCE(c.lost_90d, 0)::INT AS deals_lost_90d,
  @ratio_of(c.won_90d, c.won_90d + c.lost_90d)::NUMERIC(5, 4) AS win_rate,
  /* efficiency */
  ROUND(c.avg_won_amount, 2)::NUMERIC(18, 2) AS avg_deal_size,
  ROUND(c.avg_cycle_days, 1)::NUMERIC(10, 1) AS avg_sales_cycle_days,
  /* activity */
  COALESCE(a.calls, 0)::INT AS calls_made_30d,
  COALESCE(a.emails, 0)::INT AS emails_sent_30d,
  COALESCE(a.meetings, 0)::INT AS meetings_held_30d,
  /* leads */
  COALESCE(l.mqls_30d, 0)::INT AS total_mqls,
  @ratio_of(l.converted_90d, l.mqls_90d)::NUMERIC(5, 4) AS mql_conversion_rate,
  /* renewals */
  @ratio_of(r.renewed, r.renewed + r.ended)::NUMERIC(5, 4) AS renewal_rate
FROM spine AS s
LEFT JOIN staging.stg_hubspot__owners AS o
  ON o.owner_id = s.owner_id
LEFT JOIN open_deals AS p
  ON p.metric_date = s.metric_date AND p.owner_id = s.owner_id
LEFT JOIN closed AS c
  ON c.metric_date = s.metric_date AND c.owner_id = s.owner_id
LEFT JOIN activities AS a
  ON a.metric_date = s.metric_date AND a.owner_id = s.owner_id
LEFT JOIN leads AS l
  ON l.metric_date = s.metric_date AND l.owner_id = s.owner_id
LEFT JOIN renewals AS r
  ON r.metric_date = s.metric_date AND r.owner_id = s.owner_id
LEFT JOIN quotas AS q
  ON q.owner_id = s.owner_id AND q.quota_month = s.month_start
