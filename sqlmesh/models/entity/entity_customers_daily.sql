/* One row per customer (app account) per UTC day on which its users or devices were active:
   active users (DAU), sessions and feature uses from entity_users_daily; pours, volume,
   heartbeats, errors and pouring devices from entity_devices_daily; plus the customer's plan, MRR
   and health band as they stood at the end of the day (entity_customers_history; before the
   warehouse first saw the customer, its first known state stands in). Incremental on the day;
   phones and taps upload up to 12 hours late, so every run rebuilds today and yesterday. */
MODEL (
  name entity.entity_customers_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (customer_key, activity_date),
  audits (
    unique_combination_of_columns(columns := (customer_key, activity_date)),
    not_null(columns := (customer_key, account_id, activity_date, active_users, tap_events)),
    assert_non_negative(columns := (
      active_users, sessions, feature_uses, active_devices, tap_events, volume_ml, heartbeats,
      online_heartbeats, errors_total, monthly_recurring_revenue
    )),
    assert_in_range(columns := (device_online_ratio), max_v := 1)
  ),
  column_descriptions (
    customer_key = 'The customer (entity_customers.customer_key: the app account id)',
    account_id = 'App account id (uuid)',
    active_users = 'Users active that day (DAU)',
    active_devices = 'Devices with at least one pour that day',
    device_online_ratio = 'online_heartbeats ÷ heartbeats, 0-1; NULL without heartbeats',
    plan = 'The customer''s plan at the end of the day',
    monthly_recurring_revenue = 'The customer''s MRR at the end of the day',
    health_band = 'The customer''s health band at the end of the day',
    activity_date = 'The UTC day'
  )
);

WITH users AS (
  SELECT
    account_id,
    activity_date,
    COUNT(*) AS active_users,
    SUM(sessions) AS sessions,
    SUM(feature_uses) AS feature_uses
  FROM entity.entity_users_daily
  WHERE activity_date BETWEEN @start_ds AND @end_ds AND account_id IS NOT NULL
  GROUP BY 1, 2
), devices AS (
  SELECT
    l.account_id,
    d.activity_date,
    COUNT(*) FILTER (WHERE d.tap_events > 0) AS active_devices,
    SUM(d.tap_events) AS tap_events,
    SUM(d.volume_ml) AS volume_ml,
    SUM(d.heartbeats) AS heartbeats,
    SUM(d.online_heartbeats) AS online_heartbeats,
    SUM(d.errors_total) AS errors_total
  FROM entity.entity_devices_daily AS d
  JOIN staging.stg_app__locations AS l
    ON l.location_id = d.location_id
  WHERE d.activity_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1, 2
), keys AS (
  SELECT account_id, activity_date FROM users
  UNION
  SELECT account_id, activity_date FROM devices
)
SELECT
  /* ids */
  k.account_id::TEXT AS customer_key,
  k.account_id::UUID AS account_id,
  /* attributes at the end of the day */
  h.plan::TEXT AS plan,
  h.status::TEXT AS status,
  h.health_band::TEXT AS health_band,
  /* measures */
  COALESCE(u.active_users, 0)::INT AS active_users,
  COALESCE(u.sessions, 0)::INT AS sessions,
  COALESCE(u.feature_uses, 0)::INT AS feature_uses,
  COALESCE(d.active_devices, 0)::INT AS active_devices,
  COALESCE(d.tap_events, 0)::INT AS tap_events,
  COALESCE(d.volume_ml, 0)::BIGINT AS volume_ml,
  COALESCE(d.heartbeats, 0)::INT AS heartbeats,
  COALESCE(d.online_heartbeats, 0)::INT AS online_heartbeats,
  ROUND(d.online_heartbeats::NUMERIC / NULLIF(d.heartbeats, 0), 4)::NUMERIC(5, 4) AS device_online_ratio,
  COALESCE(d.errors_total, 0)::INT AS errors_total,
  h.monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  /* timestamps */
  k.activity_date::DATE AS activity_date
FROM keys AS k
LEFT JOIN users AS u
  ON u.account_id = k.account_id AND u.activity_date = k.activity_date
LEFT JOIN devices AS d
  ON d.account_id = k.account_id AND d.activity_date = k.activity_date
LEFT JOIN entity.entity_customers_history AS h
  ON h.customer_key = k.account_id::TEXT
  AND h.valid_from < (k.activity_date + 1)::TIMESTAMP AT TIME ZONE 'UTC'
  AND (h.valid_to IS NULL OR h.valid_to >= (k.activity_date + 1)::TIMESTAMP AT TIME ZONE 'UTC');

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
