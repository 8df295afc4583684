/* One row per location per UTC day on which at least one of its tap devices reported anything.
   Rolled up from entity_devices_daily (devices never move between locations). Incremental on the
   day, rebuilding today and yesterday like its input. */
MODEL (
  name entity.entity_locations_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (location_id, activity_date),
  audits (
    unique_combination_of_columns(columns := (location_id, activity_date)),
    not_null(columns := (location_id, activity_date, reporting_devices, pouring_devices, last_seen_at)),
    assert_non_negative(columns := (
      reporting_devices, pouring_devices, online_devices, tap_events, volume_ml, heartbeats,
      online_heartbeats, errors_total, errors_critical
    )),
    assert_in_range(columns := (uptime_pct))
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    reporting_devices = 'Devices that reported anything that day',
    pouring_devices = 'Devices with at least one pour that day',
    online_devices = 'Devices with at least one online heartbeat that day',
    tap_events = 'Pours at the location that day',
    volume_ml = 'Millilitres poured at the location that day',
    heartbeats = 'Heartbeats of its devices that day',
    online_heartbeats = 'Heartbeats that reported the device online',
    uptime_pct = 'online_heartbeats ÷ heartbeats × 100 over its devices; NULL when no heartbeat',
    errors_total = 'Device errors that day, all severities',
    errors_critical = 'Device errors of severity critical',
    activity_date = 'The UTC day (event time)',
    last_pour_at = 'Last pour of the day at the location',
    last_seen_at = 'Last report of any of its devices that day'
  )
);

SELECT
  /* ids */
  location_id::UUID AS location_id,
  /* measures */
  COUNT(*)::INT AS reporting_devices,
  COUNT(*) FILTER (WHERE tap_events > 0)::INT AS pouring_devices,
  COUNT(*) FILTER (WHERE online_heartbeats > 0)::INT AS online_devices,
  SUM(tap_events)::INT AS tap_events,
  SUM(volume_ml)::BIGINT AS volume_ml,
  SUM(heartbeats)::INT AS heartbeats,
  SUM(online_heartbeats)::INT AS online_heartbeats,
  ROUND(100.0 * SUM(online_heartbeats) / NULLIF(SUM(heartbeats), 0), 2)::NUMERIC(5, 2) AS uptime_pct,
  SUM(errors_total)::INT AS errors_total,
  SUM(errors_critical)::INT AS errors_critical,
  /* timestamps */
  activity_date::DATE AS activity_date,
  MAX(last_pour_at)::TIMESTAMPTZ AS last_pour_at,
  MAX(last_seen_at)::TIMESTAMPTZ AS last_seen_at
FROM entity.entity_devices_daily
WHERE
  activity_date BETWEEN @start_ds AND @end_ds
  AND location_id IS NOT NULL
GROUP BY
  location_id,
  activity_date;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
