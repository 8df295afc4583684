/* One row per tap device per UTC day in which the device reported anything (a pour, a heartbeat
   or an error).
   Rolled up from entity_devices_hourly, which already places late events in their hour.
   Incremental on the day: every run rebuilds today and, for events delivered late across
   midnight, yesterday. */
MODEL (
  name entity.entity_devices_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (device_id, activity_date),
  audits (
    unique_combination_of_columns(columns := (device_id, activity_date)),
    not_null(columns := (device_id, activity_date, active_hours, monitored_hours, first_seen_at, last_seen_at)),
    assert_non_negative(columns := (
      active_hours, monitored_hours, tap_events, volume_ml, warm_pours, heartbeats,
      online_heartbeats, errors_total, errors_info, errors_warning, errors_error, errors_critical
    )),
    assert_in_range(columns := (uptime_pct)),
    assert_in_range(columns := (active_hours, monitored_hours), max_v := 24)
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    location_id = 'The location the device is installed at',
    active_hours = 'Hours of the day with at least one pour',
    monitored_hours = 'Hours of the day with at least one heartbeat',
    tap_events = 'Pours in the day',
    volume_ml = 'Millilitres poured in the day',
    warm_pours = 'Pours served warmer than 6.0 °C',
    max_temperature_c = 'Warmest pour of the day, °C',
    heartbeats = 'Heartbeats received for the day',
    online_heartbeats = 'Heartbeats that reported the device online',
    uptime_pct = 'online_heartbeats ÷ heartbeats × 100; NULL when no heartbeat',
    min_signal_strength_dbm = 'Weakest signal reported by an online heartbeat, dBm',
    errors_total = 'Errors reported in the day, all severities',
    activity_date = 'The UTC day the events happened on (event time)',
    first_seen_at = 'First pour, heartbeat or error of the day',
    last_seen_at = 'Last pour, heartbeat or error of the day'
  )
);

SELECT
  /* ids */
  device_id::UUID AS device_id,
  /* One location per device-day even if some of its hours lack one (a device deleted from the app
     after they were built); devices never move. Postgres has no MAX(uuid). */
  MAX(location_id::TEXT)::UUID AS location_id,
  /* measures */
  COUNT(*) FILTER (WHERE tap_events > 0)::INT AS active_hours,
  COUNT(*) FILTER (WHERE heartbeats > 0)::INT AS monitored_hours,
  SUM(tap_events)::INT AS tap_events,
  SUM(volume_ml)::BIGINT AS volume_ml,
  SUM(warm_pours)::INT AS warm_pours,
  MAX(max_temperature_c)::NUMERIC(4, 1) AS max_temperature_c,
  SUM(heartbeats)::INT AS heartbeats,
  SUM(online_heartbeats)::INT AS online_heartbeats,
  ROUND(100.0 * SUM(online_heartbeats) / NULLIF(SUM(heartbeats), 0), 2)::NUMERIC(5, 2) AS uptime_pct,
  MIN(min_signal_strength_dbm)::SMALLINT AS min_signal_strength_dbm,
  SUM(errors_total)::INT AS errors_total,
  SUM(errors_info)::INT AS errors_info,
  SUM(errors_warning)::INT AS errors_warning,
  SUM(errors_error)::INT AS errors_error,
  SUM(errors_critical)::INT AS errors_critical,
  /* timestamps */
  (activity_hour AT TIME ZONE 'UTC')::DATE AS activity_date,
  MIN(first_seen_at)::TIMESTAMPTZ AS first_seen_at,
  MAX(last_seen_at)::TIMESTAMPTZ AS last_seen_at,
  MAX(last_pour_at)::TIMESTAMPTZ AS last_pour_at,
  MAX(last_heartbeat_at)::TIMESTAMPTZ AS last_heartbeat_at,
  MAX(last_error_at)::TIMESTAMPTZ AS last_error_at
FROM entity.entity_devices_hourly
WHERE
  activity_hour >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND activity_hour <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
GROUP BY
  device_id,
  (activity_hour AT TIME ZONE 'UTC')::DATE;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
