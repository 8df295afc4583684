/* One row per calendar month (UTC), from the first month of marts.revenue_mrr_movements to the
   month of the build (the current month is month-to-date: its ending MRR is MRR now), with the
   revenue KPIs of DESIGN.md §8:
     starting_mrr / ending_mrr   MRR of all customers at the end of the previous month / this month
     new_mrr … churned_mrr       the month's movements summed (positive amounts)
     nrr  = (starting_mrr + expansion_mrr − contraction_mrr − churned_mrr) ÷ starting_mrr, over the
            customers active at the start (new and reactivated MRR do not count)
     grr  = (starting_mrr − contraction_mrr − churned_mrr) ÷ starting_mrr (never above 1)
     logo_churn_rate = churned_customers ÷ customers_at_start
     arpa = ending_mrr ÷ customers_at_end (MRR ÷ active customers)
     trailing_logo_churn_rate = average logo_churn_rate of the month and the 5 before it
     ltv  = arpa × gross margin ÷ trailing_logo_churn_rate; the gross margin is an assumption,
            GROSS_MARGIN = 0.80 in macros/revenue_rules.py (@gross_margin)
     ad_spend = spend of the month's report days on Google Ads, Meta Ads and LinkedIn Ads
            (intermediate.int_ads__daily_delivery)
     cac  = ad_spend ÷ new_customers (new logos only, not reactivations); ltv_to_cac = ltv ÷ cac
   Ratios are NULL when their denominator is 0 (no starting MRR, no churn, no new customers).
   Ratios are fractions (1.05 = 105%). Amounts in currency units, unconverted, as everywhere. */
MODEL (
  name marts.revenue_monthly,
  kind FULL,
  owner finance,
  grain month_start,
  audits (
    unique_values(columns := (month_start)),
    not_null(columns := (
      month_start, is_current_month, starting_mrr, ending_mrr, new_mrr, reactivation_mrr, expansion_mrr,
      contraction_mrr, churned_mrr, net_new_mrr, customers_at_start, customers_at_end, new_customers,
      reactivated_customers, expansion_customers, contraction_customers, churned_customers, ad_spend
    )),
    assert_non_negative(columns := (
      starting_mrr, ending_mrr, annual_recurring_revenue, new_mrr, reactivation_mrr, expansion_mrr,
      contraction_mrr, churned_mrr, customers_at_start, customers_at_end, new_customers,
      reactivated_customers, expansion_customers, contraction_customers, churned_customers, nrr, grr,
      arpa, ltv, ad_spend, cac, ltv_to_cac
    )),
    assert_in_range(columns := (grr, logo_churn_rate, trailing_logo_churn_rate), max_v := 1)
  ),
  column_descriptions (
    month_start = 'First day of the calendar month (UTC)',
    is_current_month = 'The month of the build: month-to-date figures',
    starting_mrr = 'MRR at the end of the previous month, all customers',
    ending_mrr = 'MRR at the end of the month (now, for the current month)',
    annual_recurring_revenue = 'ending_mrr × 12',
    new_mrr = 'MRR of customers whose first month with MRR this is',
    reactivation_mrr = 'MRR of customers back after a month without MRR',
    expansion_mrr = 'MRR gained by customers that grew',
    contraction_mrr = 'MRR lost by customers that shrank but still pay (positive)',
    churned_mrr = 'Starting MRR of customers whose MRR went to zero (positive)',
    net_new_mrr = 'ending_mrr − starting_mrr = new + reactivation + expansion − contraction − churned',
    customers_at_start = 'Customers with MRR at the end of the previous month',
    customers_at_end = 'Customers with MRR at the end of the month',
    new_customers = 'Customers with movement new (new logos)',
    churned_customers = 'Customers with movement churn',
    nrr = 'Net revenue retention: (starting_mrr + expansion_mrr − contraction_mrr − churned_mrr) ÷ starting_mrr; NULL without starting MRR',
    grr = 'Gross revenue retention: (starting_mrr − contraction_mrr − churned_mrr) ÷ starting_mrr, 0-1',
    logo_churn_rate = 'churned_customers ÷ customers_at_start, 0-1',
    arpa = 'Average revenue per account: ending_mrr ÷ customers_at_end',
    trailing_logo_churn_rate = 'Average logo_churn_rate over the month and the five months before it',
    ltv = 'Lifetime value: arpa × gross margin (0.80, @gross_margin in macros/revenue_rules.py) ÷ trailing_logo_churn_rate; NULL without churn',
    ad_spend = 'Ad spend reported for the month''s days, Google Ads + Meta Ads + LinkedIn Ads',
    cac = 'Customer acquisition cost: ad_spend ÷ new_customers; NULL without new customers',
    ltv_to_cac = 'ltv ÷ cac'
  )
);

WITH bounds AS (
  SELECT
    COALESCE(MIN(month_start), DATE_TRUNC('month', @execution_ts::TIMESTAMP)::DATE) AS first_month,
    DATE_TRUNC('month', @execution_ts::TIMESTAMP)::DATE AS current_month
  FROM marts.revenue_mrr_movements
), months AS (
  SELECT m.month_start::DATE AS month_start, b.current_month
  FROM bounds AS b
  CROSS JOIN LATERAL GENERATE_SERIES(b.first_month, b.current_month, INTERVAL '1 month') AS m(month_start)
), movements AS (
  SELECT
    month_start,
    SUM(starting_mrr) AS starting_mrr,
    SUM(ending_mrr) AS ending_mrr,
    SUM(new_mrr) AS new_mrr,
    SUM(reactivation_mrr) AS reactivation_mrr,
    SUM(expansion_mrr) AS expansion_mrr,
    SUM(contraction_mrr) AS contraction_mrr,
    SUM(churned_mrr) AS churned_mrr,
    COUNT(*) FILTER (WHERE is_active_at_start) AS customers_at_start,
    COUNT(*) FILTER (WHERE is_active_at_end) AS customers_at_end,
    COUNT(*) FILTER (WHERE movement_type = 'new') AS new_customers,
    COUNT(*) FILTER (WHERE movement_type = 'reactivation') AS reactivated_customers,
    COUNT(*) FILTER (WHERE movement_type = 'expansion') AS expansion_customers,
    COUNT(*) FILTER (WHERE movement_type = 'contraction') AS contraction_customers,
    COUNT(*) FILTER (WHERE movement_type = 'churn') AS churned_customers
  FROM marts.revenue_mrr_movements
  GROUP BY month_start
), spend AS (
  SELECT DATE_TRUNC('month', report_date)::DATE AS month_start, SUM(spend) AS ad_spend
  FROM intermediate.int_ads__daily_delivery
  GROUP BY 1
), monthly AS (
  SELECT
    m.month_start,
    m.month_start = m.current_month AS is_current_month,
    COALESCE(v.starting_mrr, 0) AS starting_mrr,
    COALESCE(v.ending_mrr, 0) AS ending_mrr,
    COALESCE(v.new_mrr, 0) AS new_mrr,
    COALESCE(v.reactivation_mrr, 0) AS reactivation_mrr,
    COALESCE(v.expansion_mrr, 0) AS expansion_mrr,
    COALESCE(v.contraction_mrr, 0) AS contraction_mrr,
    COALESCE(v.churned_mrr, 0) AS churned_mrr,
    COALESCE(v.customers_at_start, 0) AS customers_at_start,
    COALESCE(v.customers_at_end, 0) AS customers_at_end,
    COALESCE(v.new_customers, 0) AS new_customers,
    COALESCE(v.reactivated_customers, 0) AS reactivated_customers,
    COALESCE(v.expansion_customers, 0) AS expansion_customers,
    COALESCE(v.contraction_customers, 0) AS contraction_customers,
    COALESCE(v.churned_customers, 0) AS churned_customers,
    COALESCE(s.ad_spend, 0) AS ad_spend
  FROM months AS m
  LEFT JOIN movements AS v
    ON v.month_start = m.month_start
  LEFT JOIN spend AS s
    ON s.month_start = m.month_start
), rates AS (
  SELECT
    *,
    (starting_mrr + expansion_mrr - contraction_mrr - churned_mrr) / NULLIF(starting_mrr, 0) AS nrr,
    (starting_mrr - contraction_mrr - churned_mrr) / NULLIF(starting_mrr, 0) AS grr,
    churned_customers::NUMERIC / NULLIF(customers_at_start, 0) AS logo_churn_rate,
    ending_mrr / NULLIF(customers_at_end, 0) AS arpa,
    ad_spend / NULLIF(new_customers, 0) AS cac
  FROM monthly
), lifetime AS (
  SELECT
    *,
    @trailing_logo_churn_rate(logo_churn_rate, month_start) AS trailing_logo_churn_rate
  FROM rates
), valued AS (
  SELECT
    *,
    arpa * @gross_margin() / NULLIF(trailing_logo_churn_rate, 0) AS ltv
  FROM lifetime
)
SELECT
  /* ids */
  month_start::DATE AS month_start,
  /* attributes */
  is_current_month::BOOLEAN AS is_current_month,
  /* measures */
  starting_mrr::NUMERIC(18, 2) AS starting_mrr,
  ending_mrr::NUMERIC(18, 2) AS ending_mrr,
  (ending_mrr * 12)::NUMERIC(18, 2) AS annual_recurring_revenue,
  new_mrr::NUMERIC(18, 2) AS new_mrr,
  reactivation_mrr::NUMERIC(18, 2) AS reactivation_mrr,
  expansion_mrr::NUMERIC(18, 2) AS expansion_mrr,
  contraction_mrr::NUMERIC(18, 2) AS contraction_mrr,
  churned_mrr::NUMERIC(18, 2) AS churned_mrr,
  (ending_mrr - starting_mrr)::NUMERIC(18, 2) AS net_new_mrr,
  customers_at_start::INT AS customers_at_start,
  customers_at_end::INT AS customers_at_end,
  new_customers::INT AS new_customers,
  reactivated_customers::INT AS reactivated_customers,
  expansion_customers::INT AS expansion_customers,
  contraction_customers::INT AS contraction_customers,
  churned_customers::INT AS churned_customers,
  ROUND(nrr, 4)::NUMERIC(10, 4) AS nrr,
  ROUND(grr, 4)::NUMERIC(10, 4) AS grr,
  ROUND(logo_churn_rate, 4)::NUMERIC(10, 4) AS logo_churn_rate,
  ROUND(arpa, 2)::NUMERIC(18, 2) AS arpa,
  ROUND(trailing_logo_churn_rate, 4)::NUMERIC(10, 4) AS trailing_logo_churn_rate,
  ROUND(ltv, 2)::NUMERIC(18, 2) AS ltv,
  ad_spend::NUMERIC(18, 2) AS ad_spend,
  ROUND(cac, 2)::NUMERIC(18, 2) AS cac,
  ROUND(ltv / NULLIF(cac, 0), 4)::NUMERIC(18, 4) AS ltv_to_cac
FROM valued
