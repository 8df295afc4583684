/* One row per tap device per UTC hour in which the device reported anything: a pour, a heartbeat
   or an error. Hours without a report have no row.
   Incremental on the event hour. Devices buffer some events and deliver them up to 12 hours late
   (and the extract adds up to one 15-minute tick), so every run rebuilds the current hour and the
   13 before it; its inputs are read by event time for exactly that range. */
MODEL (
  name entity.entity_devices_hourly,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_hour,
    lookback 13
  ),
  interval_unit 'hour',
  allow_partials TRUE,
  grain (device_id, activity_hour),
  audits (
    unique_combination_of_columns(columns := (device_id, activity_hour)),
    not_null(columns := (device_id, activity_hour, first_seen_at, last_seen_at)),
    assert_non_negative(columns := (
      tap_events, volume_ml, warm_pours, heartbeats, online_heartbeats,
      errors_total, errors_info, errors_warning, errors_error, errors_critical
    )),
    assert_in_range(columns := (uptime_pct))
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    location_id = 'The location of the pours, else the location the app has for the device (devices never move); NULL for a device deleted from the app that only sent heartbeats or errors',
    tap_events = 'Pours in the hour',
    volume_ml = 'Millilitres poured in the hour',
    warm_pours = 'Pours served warmer than 6.0 °C',
    max_temperature_c = 'Warmest pour of the hour, °C',
    heartbeats = 'Heartbeats received for the hour (devices send one an hour while installed)',
    online_heartbeats = 'Heartbeats that reported the device online',
    uptime_pct = 'online_heartbeats ÷ heartbeats × 100 (DESIGN §8: online ÷ monitored time); NULL when no heartbeat',
    min_signal_strength_dbm = 'Weakest signal reported by an online heartbeat, dBm',
    errors_total = 'Errors reported in the hour, all severities',
    errors_critical = 'Errors of severity critical',
    activity_hour = 'Start of the UTC hour the events happened in (event time, not load time)',
    first_seen_at = 'First pour, heartbeat or error of the hour',
    last_seen_at = 'Last pour, heartbeat or error of the hour'
  )
);

WITH pours AS (
  SELECT
    device_id,
    DATE_TRUNC('hour', poured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour,
    MAX(location_id::TEXT) AS location_id,
    COUNT(*) AS tap_events,
    SUM(volume_ml) AS volume_ml,
    COUNT(*) FILTER (WHERE temperature_c > 6.0) AS warm_pours,
    MAX(temperature_c) AS max_temperature_c,
    MIN(poured_at) AS first_at,
    MAX(poured_at) AS last_at
  FROM staging.stg_app__tap_events
  WHERE
    poured_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND poured_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
    /* An event is loaded after it happens: lets an index on _loaded_at prune old rows. */
    AND _loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), beats AS (
  SELECT
    device_id,
    DATE_TRUNC('hour', sent_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour,
    COUNT(*) AS heartbeats,
    COUNT(*) FILTER (WHERE heartbeat_status = 'online') AS online_heartbeats,
    MIN(signal_strength_dbm) AS min_signal_strength_dbm,
    MIN(sent_at) AS first_at,
    MAX(sent_at) AS last_at
  FROM staging.stg_app__device_heartbeats
  WHERE
    sent_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND sent_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND _loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), errs AS (
  SELECT
    device_id,
    DATE_TRUNC('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour,
    COUNT(*) AS errors_total,
    COUNT(*) FILTER (WHERE severity = 'info') AS errors_info,
    COUNT(*) FILTER (WHERE severity = 'warning') AS errors_warning,
    COUNT(*) FILTER (WHERE severity = 'error') AS errors_error,
    COUNT(*) FILTER (WHERE severity = 'critical') AS errors_critical,
    MIN(occurred_at) AS first_at,
    MAX(occurred_at) AS last_at
  FROM staging.stg_app__device_errors
  WHERE
    occurred_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND occurred_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND _loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), device_hours AS (
  SELECT device_id, activity_hour FROM pours
  UNION
  SELECT device_id, activity_hour FROM beats
  UNION
  SELECT device_id, activity_hour FROM errs
)
SELECT
  /* ids */
  h.device_id::UUID AS device_id,
  /* Where the pours happened, else where the app says the device is. */
  COALESCE(p.location_id::UUID, d.location_id)::UUID AS location_id,
  /* measures */
  COALESCE(p.tap_events, 0)::INT AS tap_events,
  COALESCE(p.volume_ml, 0)::BIGINT AS volume_ml,
  COALESCE(p.warm_pours, 0)::INT AS warm_pours,
  p.max_temperature_c::NUMERIC(4, 1) AS max_temperature_c,
  COALESCE(b.heartbeats, 0)::INT AS heartbeats,
  COALESCE(b.online_heartbeats, 0)::INT AS online_heartbeats,
  ROUND(100.0 * b.online_heartbeats / NULLIF(b.heartbeats, 0), 2)::NUMERIC(5, 2) AS uptime_pct,
  b.min_signal_strength_dbm::SMALLINT AS min_signal_strength_dbm,
  COALESCE(e.errors_total, 0)::INT AS errors_total,
  COALESCE(e.errors_info, 0)::INT AS errors_info,
  COALESCE(e.errors_warning, 0)::INT AS errors_warning,
  COALESCE(e.errors_error, 0)::INT AS errors_error,
  COALESCE(e.errors_critical, 0)::INT AS errors_critical,
  /* timestamps */
  h.activity_hour::TIMESTAMPTZ AS activity_hour,
  LEAST(p.first_at, b.first_at, e.first_at)::TIMESTAMPTZ AS first_seen_at,
  GREATEST(p.last_at, b.last_at, e.last_at)::TIMESTAMPTZ AS last_seen_at,
  p.last_at::TIMESTAMPTZ AS last_pour_at,
  b.last_at::TIMESTAMPTZ AS last_heartbeat_at,
  e.last_at::TIMESTAMPTZ AS last_error_at
FROM device_hours AS h
LEFT JOIN pours AS p
  ON p.device_id = h.device_id AND p.activity_hour = h.activity_hour
LEFT JOIN beats AS b
  ON b.device_id = h.device_id AND b.activity_hour = h.activity_hour
LEFT JOIN errs AS e
  ON e.device_id = h.device_id AND e.activity_hour = h.activity_hour
LEFT JOIN staging.stg_app__devices AS d
  ON d.device_id = h.device_id;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_hour));
