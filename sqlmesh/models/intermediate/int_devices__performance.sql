/* One row per tap device that reported anything (a pour, a heartbeat or an error) in the trailing
   30 days: its pour volume, uptime and errors over those 30 days and today.
   "Trailing 30 days" is the 30 UTC days ending on the day of the run, today included. Reads only
   those days of entity_devices_daily, never the whole event history. Uptime is the share of
   heartbeats that reported the device online (DESIGN §8: online time ÷ monitored time; a device
   sends one heartbeat an hour while installed). */
MODEL (
  name intermediate.int_devices__performance,
  kind FULL,
  grain device_id,
  audits (
    unique_values(columns := (device_id)),
    not_null(columns := (device_id, active_days_30d, tap_events_30d, heartbeats_30d, last_seen_at)),
    assert_non_negative(columns := (
      active_days_30d, tap_events_30d, volume_ml_30d, heartbeats_30d, online_heartbeats_30d,
      errors_30d, info_errors_30d, warning_errors_30d, error_errors_30d, critical_errors_30d,
      tap_events_today, volume_ml_today, heartbeats_today, online_heartbeats_today, errors_today
    )),
    assert_in_range(columns := (uptime_pct_30d, uptime_pct_today)),
    assert_in_range(columns := (active_days_30d), max_v := 30)
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    active_days_30d = 'Days in the trailing 30 with at least one pour',
    tap_events_30d = 'Pours in the trailing 30 days',
    volume_ml_30d = 'Millilitres poured in the trailing 30 days',
    heartbeats_30d = 'Heartbeats in the trailing 30 days (monitored hours)',
    online_heartbeats_30d = 'Heartbeats that reported the device online',
    uptime_pct_30d = 'online_heartbeats_30d ÷ heartbeats_30d × 100; NULL without heartbeats',
    errors_30d = 'Errors in the trailing 30 days, all severities',
    critical_errors_30d = 'Errors of severity critical in the trailing 30 days',
    tap_events_today = 'Pours so far today (UTC)',
    uptime_pct_today = 'Uptime so far today (UTC); NULL without heartbeats',
    last_seen_at = 'Last pour, heartbeat or error in the trailing 30 days'
  )
);

SELECT
  /* ids */
  device_id::UUID AS device_id,
  /* measures: trailing 30 days */
  COUNT(*) FILTER (WHERE tap_events > 0)::INT AS active_days_30d,
  SUM(tap_events)::INT AS tap_events_30d,
  SUM(volume_ml)::BIGINT AS volume_ml_30d,
  SUM(heartbeats)::INT AS heartbeats_30d,
  SUM(online_heartbeats)::INT AS online_heartbeats_30d,
  ROUND(100.0 * SUM(online_heartbeats) / NULLIF(SUM(heartbeats), 0), 2)::NUMERIC(5, 2) AS uptime_pct_30d,
  SUM(errors_total)::INT AS errors_30d,
  SUM(errors_info)::INT AS info_errors_30d,
  SUM(errors_warning)::INT AS warning_errors_30d,
  SUM(errors_error)::INT AS error_errors_30d,
  SUM(errors_critical)::INT AS critical_errors_30d,
  /* measures: today */
  COALESCE(SUM(tap_events) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::INT AS tap_events_today,
  COALESCE(SUM(volume_ml) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::BIGINT AS volume_ml_today,
  COALESCE(SUM(heartbeats) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::INT AS heartbeats_today,
  COALESCE(SUM(online_heartbeats) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::INT AS online_heartbeats_today,
  ROUND(
    100.0 * SUM(online_heartbeats) FILTER (WHERE activity_date = @execution_ds::DATE)
    / NULLIF(SUM(heartbeats) FILTER (WHERE activity_date = @execution_ds::DATE), 0),
    2
  )::NUMERIC(5, 2) AS uptime_pct_today,
  COALESCE(SUM(errors_total) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::INT AS errors_today,
  /* timestamps */
  MAX(last_seen_at)::TIMESTAMPTZ AS last_seen_at,
  MAX(last_pour_at)::TIMESTAMPTZ AS last_pour_at,
  MAX(last_heartbeat_at)::TIMESTAMPTZ AS last_heartbeat_at,
  MAX(last_error_at)::TIMESTAMPTZ AS last_error_at
FROM entity.entity_devices_daily
WHERE activity_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
GROUP BY device_id
