/* One row per metric per entity per UTC day: the four domain models in long format, for
   cross-domain dashboards and alerting. metric_name is the domain model's column; the metrics,
   the entity of each domain and each metric's importance_tier are catalogued once, in METRICS
   (macros/metrics_rules.py: @metric_names, @metric_values, @metric_tier):
     customer_success  entity_id = customer_key (metrics_customer_success)
     sales             entity_id = owner_id, the sales rep (metrics_sales)
     product           entity_id = 'all': product-wide (metrics_product_analytics)
     marketing         entity_id = channel (metrics_marketing)
   A metric that has no value for an entity on a day (a ratio without a denominator, an NPS
   without answers) has no row: metric_value is never NULL. Incremental on the day; rebuilds the
   last three days, like the domain models it reads. */
MODEL (
  name metrics.metrics_unified_domains,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 3
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (metric_date, domain, entity_id, metric_name),
  audits (
    unique_combination_of_columns(columns := (metric_date, domain, entity_id, metric_name)),
    not_null(columns := (metric_date, domain, entity_id, entity_name, metric_name, metric_value, importance_tier)),
    accepted_values(column := domain, is_in := ('customer_success', 'sales', 'product', 'marketing')),
    accepted_values(column := importance_tier, is_in := ('tier_1', 'tier_2', 'tier_3'))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    domain = 'customer_success, sales, product or marketing',
    entity_id = 'customer_key (customer_success), owner_id (sales), ''all'' (product), channel (marketing)',
    entity_name = 'The customer''s name, the rep''s name, ''All users'' or the channel',
    metric_name = 'The metric: the column of the domain model',
    metric_value = 'Its value, on the domain model''s scale (scores 0-100, *_rate and *_pct in %, *_ratio 0-1)',
    importance_tier = 'tier_1 (executive KPIs), tier_2 (domain KPIs) or tier_3 (diagnostics), from METRICS in macros/metrics_rules.py'
  )
);

WITH long AS (
  SELECT
    cs.metric_date, 'customer_success' AS domain, cs.customer_key AS entity_id, cs.customer_name AS entity_name,
    m.metric_name, m.metric_value
  FROM metrics.metrics_customer_success AS cs
  CROSS JOIN LATERAL UNNEST(@metric_names(customer_success), @metric_values(customer_success)) AS m(metric_name, metric_value)
  WHERE cs.metric_date BETWEEN @start_ds AND @end_ds
  UNION ALL
  SELECT
    s.metric_date, 'sales', s.owner_id, s.owner_name, m.metric_name, m.metric_value
  FROM metrics.metrics_sales AS s
  CROSS JOIN LATERAL UNNEST(@metric_names(sales), @metric_values(sales)) AS m(metric_name, metric_value)
  WHERE s.metric_date BETWEEN @start_ds AND @end_ds
  UNION ALL
  SELECT
    p.metric_date, 'product', 'all', 'All users', m.metric_name, m.metric_value
  FROM metrics.metrics_product_analytics AS p
  CROSS JOIN LATERAL UNNEST(@metric_names(product), @metric_values(product)) AS m(metric_name, metric_value)
  WHERE p.metric_date BETWEEN @start_ds AND @end_ds
  UNION ALL
  SELECT
    k.metric_date, 'marketing', k.channel, k.channel, m.metric_name, m.metric_value
  FROM metrics.metrics_marketing AS k
  CROSS JOIN LATERAL UNNEST(@metric_names(marketing), @metric_values(marketing)) AS m(metric_name, metric_value)
  WHERE k.metric_date BETWEEN @start_ds AND @end_ds
)
SELECT
  /* ids */
  metric_date::DATE AS metric_date,
  domain::TEXT AS domain,
  entity_id::TEXT AS entity_id,
  metric_name::TEXT AS metric_name,
  /* attributes */
  COALESCE(entity_name, entity_id)::TEXT AS entity_name,
  (CASE domain
    WHEN 'customer_success' THEN @metric_tier(customer_success, metric_name)
    WHEN 'sales' THEN @metric_tier(sales, metric_name)
    WHEN 'product' THEN @metric_tier(product, metric_name)
    WHEN 'marketing' THEN @metric_tier(marketing, metric_name)
  END)::TEXT AS importance_tier,
  /* measures */
  metric_value::NUMERIC(20, 4) AS metric_value
FROM long
WHERE metric_value IS NOT NULL;

@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (metric_date, metric_name));
