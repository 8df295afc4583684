/* One row per UTC day, from the first day with any user or device activity up to today: the
   executive view of the customer base. The customer numbers are the day's snapshot: every
   customer as it stood at the end of the day in entity.entity_customers_history (for today: as it
   stands now, so today's total_mrr equals SUM(entity.entity_customers.monthly_recurring_revenue)).
     total_customers    customers not deleted
     active_customers   customers not deleted with MRR > 0 (paying: active or past-due items)
     healthy / stable / at_risk_customers   active customers per health band (DESIGN §8:
                        healthy ≥ 80, stable 60-79, at risk < 60); *_pct of active_customers
     total_mrr          MRR of all customers (DESIGN §8); total_arr = total_mrr × 12;
                        mrr_per_customer = total_mrr ÷ active_customers (ARPA)
     high / medium / low_churn_risk_customers   active customers per churn-risk band on
                        churn_risk_score (high ≥ 60, medium 30-59.99, low < 30:
                        @churn_risk_band, macros/product_rules.py). The churn risk score is kept
                        only for the current state (entity_customers; the history does not track
                        it), so these are filled on today's row only and NULL on earlier days.
   Operations for the day: device_uptime_pct = online heartbeats ÷ heartbeats × 100 over all
   devices (DESIGN §8 uptime), active_locations = open locations with a pour that day,
   location_activity_pct = active_locations ÷ open_locations × 100.
   Incremental on the day; every run rebuilds today and yesterday, like the daily entity tables. */
MODEL (
  name marts.executive_customer_health_kpis,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column kpi_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner executive,
  grain kpi_date,
  audits (
    unique_values(columns := (kpi_date)),
    not_null(columns := (
      kpi_date, total_customers, active_customers, healthy_customers, stable_customers,
      at_risk_customers, total_mrr, total_arr, at_risk_mrr, reporting_devices, open_locations,
      active_locations, tap_events, volume_ml, device_errors
    )),
    assert_non_negative(columns := (
      total_customers, active_customers, healthy_customers, stable_customers, at_risk_customers,
      high_churn_risk_customers, medium_churn_risk_customers, low_churn_risk_customers, total_mrr,
      total_arr, mrr_per_customer, at_risk_mrr, high_churn_risk_mrr, reporting_devices,
      open_locations, active_locations, tap_events, volume_ml, device_errors
    )),
    assert_in_range(columns := (
      healthy_pct, stable_pct, at_risk_pct, high_churn_risk_pct, device_uptime_pct, location_activity_pct
    ))
  ),
  column_descriptions (
    kpi_date = 'The UTC day; customer numbers are its end-of-day snapshot (today: now)',
    total_customers = 'Customers (entity_customers rows) not deleted',
    active_customers = 'Customers not deleted with MRR > 0: the denominator of every band share and of mrr_per_customer',
    healthy_customers = 'Active customers with health score ≥ 80',
    stable_customers = 'Active customers with health score 60-79',
    at_risk_customers = 'Active customers with health score < 60',
    healthy_pct = 'healthy_customers ÷ active_customers × 100',
    stable_pct = 'stable_customers ÷ active_customers × 100',
    at_risk_pct = 'at_risk_customers ÷ active_customers × 100',
    high_churn_risk_customers = 'Active customers with churn risk ≥ 60; today''s row only (NULL before)',
    medium_churn_risk_customers = 'Active customers with churn risk 30-59.99; today''s row only',
    low_churn_risk_customers = 'Active customers with churn risk < 30; today''s row only',
    high_churn_risk_pct = 'high_churn_risk_customers ÷ active_customers × 100; today''s row only',
    high_churn_risk_mrr = 'MRR of the high churn-risk customers; today''s row only',
    total_mrr = 'Monthly recurring revenue of all customers, currency units (DESIGN §8)',
    total_arr = 'total_mrr × 12',
    mrr_per_customer = 'total_mrr ÷ active_customers (ARPA); NULL without active customers',
    at_risk_mrr = 'MRR of the at-risk customers',
    reporting_devices = 'Tap devices that reported anything that day',
    device_uptime_pct = 'Device uptime %: online heartbeats ÷ heartbeats × 100 that day; NULL without heartbeats',
    device_errors = 'Device errors reported that day, all severities',
    open_locations = 'Locations active (not closed, not deleted) at the end of the day',
    active_locations = 'Open locations with at least one pour that day',
    location_activity_pct = 'active_locations ÷ open_locations × 100',
    tap_events = 'Pours that day, all devices',
    volume_ml = 'Millilitres poured that day, all devices'
  )
);

WITH first_day AS (
  SELECT
    LEAST(
      (SELECT MIN(activity_date) FROM entity.entity_users_daily),
      (SELECT MIN(activity_date) FROM entity.entity_devices_daily)
    ) AS first_activity_date
), days AS (
  SELECT
    s.series_day::DATE AS kpi_date
  FROM GENERATE_SERIES(
    GREATEST(@start_ds::DATE, (SELECT first_activity_date FROM first_day)),
    LEAST(@end_ds::DATE, @execution_ds::DATE),
    INTERVAL '1 day'
  ) AS s(series_day)
  /* no rows at all before the warehouse has seen any activity */
  WHERE
    (SELECT first_activity_date FROM first_day) IS NOT NULL
), customer_days AS (
  /* each customer's version in force at the end of the day (today: the current version) */
  SELECT
    d.kpi_date,
    h.monthly_recurring_revenue AS mrr,
    h.health_band,
    NOT h.is_deleted AS is_customer,
    NOT h.is_deleted AND h.monthly_recurring_revenue > 0 AS is_active
  FROM days AS d
  JOIN entity.entity_customers_history AS h
    ON h.valid_from < (d.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC'
    AND (h.valid_to IS NULL OR h.valid_to >= (d.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC')
), customers AS (
  SELECT
    kpi_date,
    COUNT(*) FILTER (WHERE is_customer) AS total_customers,
    COUNT(*) FILTER (WHERE is_active) AS active_customers,
    COUNT(*) FILTER (WHERE is_active AND health_band = 'healthy') AS healthy_customers,
    COUNT(*) FILTER (WHERE is_active AND health_band = 'stable') AS stable_customers,
    COUNT(*) FILTER (WHERE is_active AND health_band = 'at_risk') AS at_risk_customers,
    SUM(mrr) AS total_mrr,
    SUM(mrr) FILTER (WHERE is_active AND health_band = 'at_risk') AS at_risk_mrr
  FROM customer_days
  GROUP BY
    kpi_date
), churn AS (
  /* churn risk exists for the current state only: today's row */
  SELECT
    @execution_ds::DATE AS kpi_date,
    COUNT(*) FILTER (WHERE @churn_risk_band(churn_risk_score) = 'high') AS high_churn_risk_customers,
    COUNT(*) FILTER (WHERE @churn_risk_band(churn_risk_score) = 'medium') AS medium_churn_risk_customers,
    COUNT(*) FILTER (WHERE @churn_risk_band(churn_risk_score) = 'low') AS low_churn_risk_customers,
    SUM(monthly_recurring_revenue) FILTER (WHERE @churn_risk_band(churn_risk_score) = 'high') AS high_churn_risk_mrr
  FROM entity.entity_customers
  WHERE
    NOT is_deleted AND monthly_recurring_revenue > 0
), devices AS (
  SELECT
    activity_date AS kpi_date,
    COUNT(*) AS reporting_devices,
    SUM(heartbeats) AS heartbeats,
    SUM(online_heartbeats) AS online_heartbeats,
    SUM(errors_total) AS device_errors,
    SUM(tap_events) AS tap_events,
    SUM(volume_ml) AS volume_ml
  FROM entity.entity_devices_daily
  WHERE
    activity_date BETWEEN @start_ds AND @end_ds
  GROUP BY
    activity_date
), location_days AS (
  /* each location open at the end of the day, with whether it poured that day */
  SELECT
    d.kpi_date,
    COUNT(*) AS open_locations,
    COUNT(*) FILTER (WHERE ld.pouring_devices > 0) AS active_locations
  FROM days AS d
  JOIN entity.entity_locations_history AS h
    ON h.valid_from < (d.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC'
    AND (h.valid_to IS NULL OR h.valid_to >= (d.kpi_date + 1)::TIMESTAMP AT TIME ZONE 'UTC')
  LEFT JOIN entity.entity_locations_daily AS ld
    ON ld.location_id = h.location_id
    AND ld.activity_date = d.kpi_date
    AND ld.activity_date BETWEEN @start_ds AND @end_ds
  WHERE
    NOT h.is_deleted AND h.location_status = 'active'
  GROUP BY
    d.kpi_date
), metrics AS (
  SELECT
    d.kpi_date,
    COALESCE(c.total_customers, 0) AS total_customers,
    COALESCE(c.active_customers, 0) AS active_customers,
    COALESCE(c.healthy_customers, 0) AS healthy_customers,
    COALESCE(c.stable_customers, 0) AS stable_customers,
    COALESCE(c.at_risk_customers, 0) AS at_risk_customers,
    COALESCE(c.total_mrr, 0) AS total_mrr,
    COALESCE(c.at_risk_mrr, 0) AS at_risk_mrr,
    ch.kpi_date IS NOT NULL AS has_churn,
    ch.high_churn_risk_customers,
    ch.medium_churn_risk_customers,
    ch.low_churn_risk_customers,
    ch.high_churn_risk_mrr,
    COALESCE(dv.reporting_devices, 0) AS reporting_devices,
    dv.heartbeats,
    dv.online_heartbeats,
    COALESCE(dv.device_errors, 0) AS device_errors,
    COALESCE(dv.tap_events, 0) AS tap_events,
    COALESCE(dv.volume_ml, 0) AS volume_ml,
    COALESCE(l.open_locations, 0) AS open_locations,
    COALESCE(l.active_locations, 0) AS active_locations
  FROM days AS d
  LEFT JOIN customers AS c
    ON c.kpi_date = d.kpi_date
  LEFT JOIN churn AS ch
    ON ch.kpi_date = d.kpi_date
  LEFT JOIN devices AS dv
    ON dv.kpi_date = d.kpi_date
  LEFT JOIN location_days AS l
    ON l.kpi_date = d.kpi_date
)
SELECT
  /* measures: customers and health */
  total_customers::INT AS total_customers,
  active_customers::INT AS active_customers,
  healthy_customers::INT AS healthy_customers,
  stable_customers::INT AS stable_customers,
  at_risk_customers::INT AS at_risk_customers,
  @pct_of(healthy_customers, active_customers)::NUMERIC(5, 2) AS healthy_pct,
  @pct_of(stable_customers, active_customers)::NUMERIC(5, 2) AS stable_pct,
  @pct_of(at_risk_customers, active_customers)::NUMERIC(5, 2) AS at_risk_pct,
  /* measures: churn risk (today's row only) */
  high_churn_risk_customers::INT AS high_churn_risk_customers,
  medium_churn_risk_customers::INT AS medium_churn_risk_customers,
  low_churn_risk_customers::INT AS low_churn_risk_customers,
  @pct_of(high_churn_risk_customers, active_customers)::NUMERIC(5, 2) AS high_churn_risk_pct,
  (CASE WHEN has_churn THEN COALESCE(high_churn_risk_mrr, 0) END)::NUMERIC(18, 2) AS high_churn_risk_mrr,
  /* measures: revenue */
  total_mrr::NUMERIC(18, 2) AS total_mrr,
  (total_mrr * 12)::NUMERIC(18, 2) AS total_arr,
  ROUND(total_mrr / NULLIF(active_customers, 0), 2)::NUMERIC(18, 2) AS mrr_per_customer,
  at_risk_mrr::NUMERIC(18, 2) AS at_risk_mrr,
  /* measures: operations */
  reporting_devices::INT AS reporting_devices,
  @pct_of(online_heartbeats, heartbeats)::NUMERIC(5, 2) AS device_uptime_pct,
  device_errors::INT AS device_errors,
  open_locations::INT AS open_locations,
  active_locations::INT AS active_locations,
  @pct_of(active_locations, open_locations)::NUMERIC(5, 2) AS location_activity_pct,
  tap_events::BIGINT AS tap_events,
  volume_ml::BIGINT AS volume_ml,
  /* timestamps */
  kpi_date::DATE AS kpi_date
FROM metrics;

/* Downstream models read this table by day: index it once, when the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (kpi_date));
