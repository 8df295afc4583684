/* One row per tap device per UTC day in which the device reported anything (a pour, a heartbeat
   or an error).
   Rolled up from entity_devices_hourly, which already places late events in their hour. Each run
   rebuilds, from all of their hours, only the device-days of the hours entity_devices_hourly
   merged since the last run (an hourly row whose load time of some source is past the newest this
   table holds for that source), and merges them on (device_id, activity_date). */
MODEL (
  name entity.entity_devices_daily,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (device_id, activity_date)
  ),
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
    last_seen_at = 'Last pour, heartbeat or error of the day',
    pours_loaded_at = 'When the last-loaded pour of the day reached raw (the next run rolls up hours with pours loaded after the newest)',
    heartbeats_loaded_at = 'When the last-loaded heartbeat of the day reached raw',
    errors_loaded_at = 'When the last-loaded error of the day reached raw'
  )
);

WITH touched AS (
  /* The device-days of the hours merged since the last run, each source past its own watermark. */
  SELECT device_id, (activity_hour AT TIME ZONE 'UTC')::DATE AS activity_date
  FROM entity.entity_devices_hourly
  WHERE pours_loaded_at > COALESCE((SELECT MAX(pours_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
  UNION
  SELECT device_id, (activity_hour AT TIME ZONE 'UTC')::DATE AS activity_date
  FROM entity.entity_devices_hourly
  WHERE heartbeats_loaded_at > COALESCE((SELECT MAX(heartbeats_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
  UNION
  SELECT device_id, (activity_hour AT TIME ZONE 'UTC')::DATE AS activity_date
  FROM entity.entity_devices_hourly
  WHERE errors_loaded_at > COALESCE((SELECT MAX(errors_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
)
SELECT
  t.device_id::UUID AS device_id,
  d.location_id::UUID AS location_id,
  d.active_hours::INT AS active_hours,
  d.monitored_hours::INT AS monitored_hours,
  d.tap_events::INT AS tap_events,
  d.volume_ml::BIGINT AS volume_ml,
  d.warm_pours::INT AS warm_pours,
  d.max_temperature_c::NUMERIC(4, 1) AS max_temperature_c,
  d.heartbeats::INT AS heartbeats,
  d.online_heartbeats::INT AS online_heartbeats,
  d.uptime_pct::NUMERIC(5, 2) AS uptime_pct,
  d.min_signal_strength_dbm::SMALLINT AS min_signal_strength_dbm,
  d.errors_total::INT AS errors_total,
  d.errors_info::INT AS errors_info,
  d.errors_warning::INT AS errors_warning,
  d.errors_error::INT AS errors_error,
  d.errors_critical::INT AS errors_critical,
  t.activity_date::DATE AS activity_date,
  d.first_seen_at::TIMESTAMPTZ AS first_seen_at,
  d.last_seen_at::TIMESTAMPTZ AS last_seen_at,
  d.last_pour_at::TIMESTAMPTZ AS last_pour_at,
  d.last_heartbeat_at::TIMESTAMPTZ AS last_heartbeat_at,
  d.last_error_at::TIMESTAMPTZ AS last_error_at,
  d.pours_loaded_at::TIMESTAMPTZ AS pours_loaded_at,
  d.heartbeats_loaded_at::TIMESTAMPTZ AS heartbeats_loaded_at,
  d.errors_loaded_at::TIMESTAMPTZ AS errors_loaded_at
FROM touched AS t
/* Every hour of a touched device-day, old or new, rolled up per device-day on the (device_id,
   activity_hour) index: a run touches few days, and a join would sort the whole hourly table. */
CROSS JOIN LATERAL (
  SELECT
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
    MIN(first_seen_at)::TIMESTAMPTZ AS first_seen_at,
    MAX(last_seen_at)::TIMESTAMPTZ AS last_seen_at,
    MAX(last_pour_at)::TIMESTAMPTZ AS last_pour_at,
    MAX(last_heartbeat_at)::TIMESTAMPTZ AS last_heartbeat_at,
    MAX(last_error_at)::TIMESTAMPTZ AS last_error_at,
    /* watermarks */
    MAX(pours_loaded_at)::TIMESTAMPTZ AS pours_loaded_at,
    MAX(heartbeats_loaded_at)::TIMESTAMPTZ AS heartbeats_loaded_at,
    MAX(errors_loaded_at)::TIMESTAMPTZ AS errors_loaded_at
  FROM entity.entity_devices_hourly AS h
  WHERE h.device_id = t.device_id
    AND h.activity_hour >= t.activity_date::TIMESTAMP AT TIME ZONE 'UTC'
    AND h.activity_hour < (t.activity_date + 1)::TIMESTAMP AT TIME ZONE 'UTC'
) AS d;

/* The merge looks each device-day up, each run reads the newest load time of each source and
   downstream models read by day: index them once, when the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (device_id, activity_date));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (pours_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (heartbeats_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (errors_loaded_at));
