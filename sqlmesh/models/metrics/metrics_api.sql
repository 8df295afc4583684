/* One row per metric per entity per UTC day (the grain of metrics_unified_domains), with the
   metric compared with its own value one period earlier, for each of four periods:
     day      the day before                     (prior_day_value, dod_change, dod_growth_pct)
     week     the same weekday a week before     (prior_week_value, wow_change, wow_growth_pct)
     month    the same day of the month before   (prior_month_value, mom_change, mom_growth_pct)
     quarter  the same day three months before   (prior_quarter_value, qoq_change, qoq_growth_pct)
   (month and quarter steps are calendar months: 31 March compares with 28/29 February).
   *_change = value − prior value (in the metric's unit); *_growth_pct = @growth_pct: the change ÷
   |prior value| × 100. The prior value, change and growth are NULL when the metric had no value
   then (before the warehouse's history, or a ratio without a denominator) and growth also when
   the prior value is 0. Incremental on the day, rebuilding the last three like its input. */
MODEL (
  name metrics.metrics_api,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 3
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (metric_date, domain, entity_id, metric_name),
  audits (
    unique_combination_of_columns(columns := (metric_date, domain, entity_id, metric_name)),
    not_null(columns := (metric_date, domain, entity_id, metric_name, importance_tier, metric_value)),
    accepted_values(column := domain, is_in := ('customer_success', 'sales', 'product', 'marketing')),
    accepted_values(column := importance_tier, is_in := ('tier_1', 'tier_2', 'tier_3'))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    domain = 'customer_success, sales, product or marketing (metrics_unified_domains)',
    entity_id = 'The entity (metrics_unified_domains.entity_id)',
    metric_name = 'The metric (metrics_unified_domains.metric_name)',
    metric_value = 'Its value on metric_date',
    prior_day_value = 'Its value on the day before',
    dod_change = 'metric_value − prior_day_value',
    dod_growth_pct = 'dod_change ÷ |prior_day_value| × 100; NULL when the prior value is NULL or 0',
    prior_week_value = 'Its value 7 days before',
    wow_change = 'metric_value − prior_week_value',
    wow_growth_pct = 'wow_change ÷ |prior_week_value| × 100',
    prior_month_value = 'Its value one calendar month before',
    mom_change = 'metric_value − prior_month_value',
    mom_growth_pct = 'mom_change ÷ |prior_month_value| × 100',
    prior_quarter_value = 'Its value three calendar months before',
    qoq_change = 'metric_value − prior_quarter_value',
    qoq_growth_pct = 'qoq_change ÷ |prior_quarter_value| × 100'
  )
);

SELECT
  /* ids */
  u.metric_date::DATE AS metric_date,
  u.domain::TEXT AS domain,
  u.entity_id::TEXT AS entity_id,
  u.metric_name::TEXT AS metric_name,
  /* attributes */
  u.entity_name::TEXT AS entity_name,
  u.importance_tier::TEXT AS importance_tier,
  /* measures */
  u.metric_value::NUMERIC(20, 4) AS metric_value,
  d.metric_value::NUMERIC(20, 4) AS prior_day_value,
  (u.metric_value - d.metric_value)::NUMERIC(20, 4) AS dod_change,
  ROUND(@growth_pct(u.metric_value, d.metric_value), 2)::NUMERIC(14, 2) AS dod_growth_pct,
  w.metric_value::NUMERIC(20, 4) AS prior_week_value,
  (u.metric_value - w.metric_value)::NUMERIC(20, 4) AS wow_change,
  ROUND(@growth_pct(u.metric_value, w.metric_value), 2)::NUMERIC(14, 2) AS wow_growth_pct,
  m.metric_value::NUMERIC(20, 4) AS prior_month_value,
  (u.metric_value - m.metric_value)::NUMERIC(20, 4) AS mom_change,
  ROUND(@growth_pct(u.metric_value, m.metric_value), 2)::NUMERIC(14, 2) AS mom_growth_pct,
  q.metric_value::NUMERIC(20, 4) AS prior_quarter_value,
  (u.metric_value - q.metric_value)::NUMERIC(20, 4) AS qoq_change,
  ROUND(@growth_pct(u.metric_value, q.metric_value), 2)::NUMERIC(14, 2) AS qoq_growth_pct
FROM metrics.metrics_unified_domains AS u
LEFT JOIN metrics.metrics_unified_domains AS d
  ON d.metric_date = u.metric_date - 1
  AND d.domain = u.domain AND d.entity_id = u.entity_id AND d.metric_name = u.metric_name
LEFT JOIN metrics.metrics_unified_domains AS w
  ON w.metric_date = u.metric_date - 7
  AND w.domain = u.domain AND w.entity_id = u.entity_id AND w.metric_name = u.metric_name
LEFT JOIN metrics.metrics_unified_domains AS m
  ON m.metric_date = (u.metric_date - INTERVAL '1 month')::DATE
  AND m.domain = u.domain AND m.entity_id = u.entity_id AND m.metric_name = u.metric_name
LEFT JOIN metrics.metrics_unified_domains AS q
  ON q.metric_date = (u.metric_date - INTERVAL '3 months')::DATE
  AND q.domain = u.domain AND q.entity_id = u.entity_id AND q.metric_name = u.metric_name
WHERE u.metric_date BETWEEN @start_ds AND @end_ds
