/* One row per tap device per UTC hour in which the device reported anything: a pour, a heartbeat
   or an error. Hours without a report have no row.
   Devices buffer some events and deliver them hours late, so the hour an event lands in may
   have been built long before. Each run rebuilds, from all of their events, only the device-hours
   of the events staged since the last run: per source, those loaded after the newest load time
   this table holds for that source (`pours_loaded_at`, `heartbeats_loaded_at`,
   `errors_loaded_at`), and merges them on (device_id, activity_hour). A source's own batches
   commit in load-time order; the three are compared apart because different sources' batches
   do not. */
MODEL (
  name entity.entity_devices_hourly,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (device_id, activity_hour)
  ),
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
    last_seen_at = 'Last pour, heartbeat or error of the hour',
    pours_loaded_at = 'When the last-loaded pour of the hour reached raw (the next run merges pours loaded after the newest)',
    heartbeats_loaded_at = 'When the last-loaded heartbeat of the hour reached raw',
    errors_loaded_at = 'When the last-loaded error of the hour reached raw'
  )
);

WITH touched AS (
  /* The device-hours of the events staged since the last run, each source past its own watermark. */
  SELECT
    device_id,
    DATE_TRUNC('hour', poured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour
  FROM staging.stg_app__tap_events
  WHERE _loaded_at > COALESCE((SELECT MAX(pours_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
  UNION
  SELECT
    device_id,
    DATE_TRUNC('hour', sent_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour
  FROM staging.stg_app__device_heartbeats
  WHERE _loaded_at > COALESCE((SELECT MAX(heartbeats_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
  UNION
  SELECT
    device_id,
    DATE_TRUNC('hour', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS activity_hour
  FROM staging.stg_app__device_errors
  WHERE _loaded_at > COALESCE((SELECT MAX(errors_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
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
  e.last_at::TIMESTAMPTZ AS last_error_at,
  /* watermarks */
  p.loaded_at::TIMESTAMPTZ AS pours_loaded_at,
  b.loaded_at::TIMESTAMPTZ AS heartbeats_loaded_at,
  e.loaded_at::TIMESTAMPTZ AS errors_loaded_at
FROM touched AS h
/* Every event of a touched hour, old or new, looked up per device-hour on the (device_id, event
   time) indexes: a run touches few hours, and a join would sort whole event tables. */
CROSS JOIN LATERAL (
  SELECT
    MAX(t.location_id::TEXT) AS location_id,
    COUNT(*) AS tap_events,
    SUM(t.volume_ml) AS volume_ml,
    COUNT(*) FILTER (WHERE t.temperature_c > 6.0) AS warm_pours,
    MAX(t.temperature_c) AS max_temperature_c,
    MIN(t.poured_at) AS first_at,
    MAX(t.poured_at) AS last_at,
    MAX(t._loaded_at) AS loaded_at
  FROM staging.stg_app__tap_events AS t
  WHERE t.device_id = h.device_id
    AND t.poured_at >= h.activity_hour
    AND t.poured_at < h.activity_hour + INTERVAL '1 hour'
) AS p
CROSS JOIN LATERAL (
  SELECT
    COUNT(*) AS heartbeats,
    COUNT(*) FILTER (WHERE b.heartbeat_status = 'online') AS online_heartbeats,
    MIN(b.signal_strength_dbm) AS min_signal_strength_dbm,
    MIN(b.sent_at) AS first_at,
    MAX(b.sent_at) AS last_at,
    MAX(b._loaded_at) AS loaded_at
  FROM staging.stg_app__device_heartbeats AS b
  WHERE b.device_id = h.device_id
    AND b.sent_at >= h.activity_hour
    AND b.sent_at < h.activity_hour + INTERVAL '1 hour'
) AS b
CROSS JOIN LATERAL (
  SELECT
    COUNT(*) AS errors_total,
    COUNT(*) FILTER (WHERE e.severity = 'info') AS errors_info,
    COUNT(*) FILTER (WHERE e.severity = 'warning') AS errors_warning,
    COUNT(*) FILTER (WHERE e.severity = 'error') AS errors_error,
    COUNT(*) FILTER (WHERE e.severity = 'critical') AS errors_critical,
    MIN(e.occurred_at) AS first_at,
    MAX(e.occurred_at) AS last_at,
    MAX(e._loaded_at) AS loaded_at
  FROM staging.stg_app__device_errors AS e
  WHERE e.device_id = h.device_id
    AND e.occurred_at >= h.activity_hour
    AND e.occurred_at < h.activity_hour + INTERVAL '1 hour'
) AS e
LEFT JOIN staging.stg_app__devices AS d
  ON d.device_id = h.device_id;

/* The merge looks each device-hour up, each run reads the newest load time of each source and
   entity_devices_daily reads by hour and by load time: index them once, when the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (device_id, activity_hour));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_hour));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (pours_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (heartbeats_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (errors_loaded_at));
