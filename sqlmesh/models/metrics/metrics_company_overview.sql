/* One row per UTC day (metric_date), from the first day of customer activity the warehouse holds
   (marts.executive_customer_health_kpis) to today: the executive KPIs of every domain on one row,
   each read from the model that owns it, so it is the same number here as there:
     customers & MRR   marts.executive_customer_health_kpis (end-of-day snapshot; today = now:
                       total_mrr = SUM(entity_customers.monthly_recurring_revenue))
     avg_customer_health_score  mean health of the active customers (MRR > 0) in that day's
                       metrics_customer_success snapshot; NULL on days before snapshots began
     revenue KPIs      marts.revenue_monthly for the day's calendar month (month-to-date for the
                       current one): nrr, grr, logo churn, LTV, CAC, LTV:CAC (fractions)
     product           metrics_product_analytics: DAU, MAU (0 on the days before the app's
                       first activity, which customer activity can precede), stickiness
     sales             metrics_sales summed over reps: pipeline, weighted forecast, bookings
                       month-to-date; win_rate = Σ won ÷ Σ (won + lost) over 90 days;
                       quota_attainment_pct = Σ revenue_closed_mtd ÷ Σ quota × 100
     marketing         metrics_marketing summed over channels: the day's ad spend and new customers
     nps_score         @nps of every NPS answer (Iterable) in the trailing 90 days
   Incremental on the day, rebuilding the last three days like the models it reads. */
MODEL (
  name metrics.metrics_company_overview,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 3
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner executive,
  grain metric_date,
  audits (
    unique_values(columns := (metric_date)),
    not_null(columns := (
      metric_date, total_customers, active_customers, total_mrr, total_arr, at_risk_customers, at_risk_mrr,
      total_pipeline_value, forecast_amount, revenue_closed_mtd, deals_won_mtd, ad_spend, new_customers
    )),
    assert_in_range(columns := (avg_customer_health_score, healthy_pct, at_risk_pct, device_uptime_pct)),
    assert_in_range(columns := (nps_score), min_v := -100),
    assert_in_range(columns := (grr, logo_churn_rate, dau_mau_ratio, win_rate), max_v := 1),
    assert_non_negative(columns := (
      total_customers, active_customers, total_mrr, total_arr, mrr_per_customer, at_risk_customers,
      at_risk_mrr, nrr, ltv, cac, ltv_to_cac, daily_active_users, monthly_active_users,
      total_pipeline_value, forecast_amount, revenue_closed_mtd, deals_won_mtd, quota_attainment_pct,
      ad_spend, new_customers, nps_responses_90d
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    total_customers = 'Customers not deleted (executive_customer_health_kpis)',
    active_customers = 'Customers with MRR > 0 (executive_customer_health_kpis)',
    total_mrr = 'MRR of all customers at the end of the day (executive_customer_health_kpis.total_mrr)',
    total_arr = 'total_mrr × 12',
    mrr_per_customer = 'ARPA: total_mrr ÷ active_customers',
    avg_customer_health_score = 'Mean 0-100 health score of the active customers in the day''s metrics_customer_success snapshot; NULL before snapshots',
    healthy_pct = '% of active customers healthy (≥ 80)',
    at_risk_pct = '% of active customers at risk (< 60)',
    at_risk_customers = 'Active customers at risk',
    at_risk_mrr = 'MRR of the at-risk customers',
    device_uptime_pct = 'Online heartbeats ÷ heartbeats × 100 that day',
    net_new_mrr = 'revenue_monthly.net_new_mrr of the day''s month (month to date for the current month)',
    nrr = 'Net revenue retention of the day''s month (revenue_monthly), fraction',
    grr = 'Gross revenue retention of the day''s month, 0-1',
    logo_churn_rate = 'Logo churn rate of the day''s month, 0-1',
    ltv = 'Customer lifetime value of the day''s month (revenue_monthly)',
    cac = 'Customer acquisition cost of the day''s month (revenue_monthly)',
    ltv_to_cac = 'LTV ÷ CAC of the day''s month (revenue_monthly)',
    daily_active_users = 'DAU (metrics_product_analytics); 0 before the app''s first activity',
    monthly_active_users = 'MAU (metrics_product_analytics); 0 before the app''s first activity',
    dau_mau_ratio = 'Stickiness, 0-1',
    total_pipeline_value = 'Open pipeline at the end of the day, all reps, USD',
    forecast_amount = 'Weighted pipeline expected to close in the month, all reps, USD',
    revenue_closed_mtd = 'Deals won month to date, USD',
    deals_won_mtd = 'Deals won month to date',
    win_rate = 'Σ deals won ÷ Σ deals closed over the trailing 90 days, all reps, 0-1',
    quota_attainment_pct = 'Σ revenue_closed_mtd ÷ Σ quota × 100 over the reps with a quota',
    ad_spend = 'Ad spend of the day, all platforms',
    new_customers = 'App accounts created that day',
    nps_score = 'Company NPS, -100..100, of the NPS answers of the trailing 90 days; NULL without',
    nps_responses_90d = 'NPS answers in the trailing 90 days'
  )
);

WITH kpis AS (
  SELECT *
  FROM marts.executive_customer_health_kpis
  WHERE kpi_date BETWEEN @start_ds AND @end_ds
), health AS (
  SELECT metric_date, AVG(customer_health_score) FILTER (WHERE current_mrr > 0) AS avg_health
  FROM metrics.metrics_customer_success
  WHERE metric_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1
), sales AS (
  SELECT
    metric_date,
    SUM(total_pipeline_value) AS pipeline,
    SUM(forecast_amount) AS forecast,
    SUM(revenue_closed_mtd) AS revenue_mtd,
    SUM(deals_won_mtd) AS won_mtd,
    SUM(deals_won_90d) AS won_90d,
    SUM(deals_lost_90d) AS lost_90d,
    SUM(revenue_closed_mtd) FILTER (WHERE quota_amount IS NOT NULL) AS revenue_mtd_with_quota,
    SUM(quota_amount) AS quota
  FROM metrics.metrics_sales
  WHERE metric_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1
), marketing AS (
  SELECT metric_date, SUM(total_ad_spend_active) AS ad_spend, SUM(new_customers) AS new_customers
  FROM metrics.metrics_marketing
  WHERE metric_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1
), nps AS (
  SELECT
    k.kpi_date,
    @nps(e.score) AS nps_score,
    COUNT(e.score) AS responses
  FROM kpis AS k
  JOIN staging.stg_iterable__custom_events AS e
    ON e.event_name = 'nps_survey_response'
    AND e.created_at < LEAST((k.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC', @execution_ts::TIMESTAMP AT TIME ZONE 'UTC')
    AND e.created_at >= (k.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC' - INTERVAL '1 day' * @metrics_constant(SURVEY_WINDOW_DAYS)
  GROUP BY 1
)
SELECT
  /* ids */
  k.kpi_date::DATE AS metric_date,
  /* customers & MRR */
  k.total_customers::INT AS total_customers,
  k.active_customers::INT AS active_customers,
  k.total_mrr::NUMERIC(18, 2) AS total_mrr,
  k.total_arr::NUMERIC(18, 2) AS total_arr,
  k.mrr_per_customer::NUMERIC(18, 2) AS mrr_per_customer,
  ROUND(h.avg_health, 2)::NUMERIC(5, 2) AS avg_customer_health_score,
  k.healthy_pct::NUMERIC(5, 2) AS healthy_pct,
  k.at_risk_pct::NUMERIC(5, 2) AS at_risk_pct,
  k.at_risk_customers::INT AS at_risk_customers,
  k.at_risk_mrr::NUMERIC(18, 2) AS at_risk_mrr,
  k.device_uptime_pct::NUMERIC(5, 2) AS device_uptime_pct,
  /* revenue KPIs of the month */
  rm.net_new_mrr::NUMERIC(18, 2) AS net_new_mrr,
  rm.nrr::NUMERIC(10, 4) AS nrr,
  rm.grr::NUMERIC(10, 4) AS grr,
  rm.logo_churn_rate::NUMERIC(10, 4) AS logo_churn_rate,
  rm.ltv::NUMERIC(18, 2) AS ltv,
  rm.cac::NUMERIC(18, 2) AS cac,
  rm.ltv_to_cac::NUMERIC(14, 4) AS ltv_to_cac,
  /* product */
  COALESCE(p.daily_active_users, 0)::INT AS daily_active_users,
  COALESCE(p.monthly_active_users, 0)::INT AS monthly_active_users,
  p.dau_mau_ratio::NUMERIC(6, 4) AS dau_mau_ratio,
  /* sales */
  COALESCE(s.pipeline, 0)::NUMERIC(18, 2) AS total_pipeline_value,
  COALESCE(s.forecast, 0)::NUMERIC(18, 2) AS forecast_amount,
  COALESCE(s.revenue_mtd, 0)::NUMERIC(18, 2) AS revenue_closed_mtd,
  COALESCE(s.won_mtd, 0)::INT AS deals_won_mtd,
  @ratio_of(s.won_90d, s.won_90d + s.lost_90d)::NUMERIC(5, 4) AS win_rate,
  ROUND(@pct(s.revenue_mtd_with_quota, s.quota), 2)::NUMERIC(10, 2) AS quota_attainment_pct,
  /* marketing */
  COALESCE(m.ad_spend, 0)::NUMERIC(18, 2) AS ad_spend,
  COALESCE(m.new_customers, 0)::INT AS new_customers,
  /* voice of the customer */
  ROUND(n.nps_score, 2)::NUMERIC(6, 2) AS nps_score,
  COALESCE(n.responses, 0)::INT AS nps_responses_90d
FROM kpis AS k
LEFT JOIN health AS h
  ON h.metric_date = k.kpi_date
LEFT JOIN (
  SELECT month_start, net_new_mrr, nrr, grr, logo_churn_rate, ltv, cac, ltv_to_cac FROM marts.revenue_monthly
) AS rm
  ON rm.month_start = DATE_TRUNC('month', k.kpi_date)::DATE
LEFT JOIN metrics.metrics_product_analytics AS p
  ON p.metric_date = k.kpi_date
LEFT JOIN sales AS s
  ON s.metric_date = k.kpi_date
LEFT JOIN marketing AS m
  ON m.metric_date = k.kpi_date
LEFT JOIN nps AS n
  ON n.kpi_date = k.kpi_date
