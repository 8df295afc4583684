/* One row per IoT tap device as it is now (retired, soft-deleted devices included and flagged;
   hard-deleted ones gone), with its location and account and the performance a device dashboard
   needs: pours, volume, uptime and errors over the trailing 30 days and today.
   Event metrics come from int_devices__performance, which reads only the last 30 days. */
MODEL (
  name entity.entity_devices,
  kind FULL,
  grain device_id,
  audits (
    unique_values(columns := (device_id)),
    unique_values(columns := (serial_number)),
    not_null(columns := (
      device_id, location_id, serial_number, device_status, is_online, is_deleted,
      tap_events_30d, heartbeats_30d, errors_30d, created_at, updated_at
    )),
    accepted_values(column := device_status, is_in := ('provisioning', 'online', 'offline', 'retired')),
    assert_non_negative(columns := (
      active_days_30d, tap_events_30d, volume_ml_30d, heartbeats_30d, online_heartbeats_30d,
      errors_30d, info_errors_30d, warning_errors_30d, error_errors_30d, critical_errors_30d,
      tap_events_today, volume_ml_today, errors_today, days_since_last_activity, days_since_installed
    )),
    assert_in_range(columns := (uptime_pct_30d, uptime_pct_today)),
    assert_in_range(columns := (active_days_30d), max_v := 30)
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    location_id = 'The location the device is installed at',
    account_id = 'The account that owns the location',
    serial_number = 'Hardware serial number',
    device_status = 'provisioning, online, offline or retired (current status in the app)',
    is_online = 'device_status is online',
    is_deleted = 'Soft-deleted in the app (retired devices)',
    active_days_30d = 'Days in the trailing 30 UTC days (today included) with at least one pour',
    tap_events_30d = 'Pours in the trailing 30 days',
    volume_ml_30d = 'Millilitres poured in the trailing 30 days',
    heartbeats_30d = 'Heartbeats in the trailing 30 days (hours monitored)',
    online_heartbeats_30d = 'Heartbeats that reported the device online',
    uptime_pct_30d = 'Device uptime %: online_heartbeats_30d ÷ heartbeats_30d × 100 (DESIGN §8); NULL without heartbeats',
    errors_30d = 'Errors in the trailing 30 days, all severities',
    critical_errors_30d = 'Errors of severity critical in the trailing 30 days',
    tap_events_today = 'Pours so far today (UTC)',
    uptime_pct_today = 'Uptime so far today (UTC); NULL without heartbeats',
    days_since_last_activity = 'Whole days from last_seen_at to the build; NULL when not seen in the trailing 30 days',
    days_since_installed = 'Whole days from installed_at to the build; NULL when not installed',
    last_seen_at = 'Last pour, heartbeat or error in the trailing 30 days'
  )
);

SELECT
  /* ids */
  d.device_id::UUID AS device_id,
  d.location_id::UUID AS location_id,
  l.account_id::UUID AS account_id,
  d.serial_number::TEXT AS serial_number,
  /* attributes */
  d.device_model::TEXT AS device_model,
  d.firmware_version::TEXT AS firmware_version,
  d.device_status::TEXT AS device_status,
  (d.device_status = 'online')::BOOLEAN AS is_online,
  d.is_deleted::BOOLEAN AS is_deleted,
  l.location_name::TEXT AS location_name,
  l.location_status::TEXT AS location_status,
  /* measures */
  COALESCE(p.active_days_30d, 0)::INT AS active_days_30d,
  COALESCE(p.tap_events_30d, 0)::INT AS tap_events_30d,
  COALESCE(p.volume_ml_30d, 0)::BIGINT AS volume_ml_30d,
  COALESCE(p.heartbeats_30d, 0)::INT AS heartbeats_30d,
  COALESCE(p.online_heartbeats_30d, 0)::INT AS online_heartbeats_30d,
  p.uptime_pct_30d::NUMERIC(5, 2) AS uptime_pct_30d,
  COALESCE(p.errors_30d, 0)::INT AS errors_30d,
  COALESCE(p.info_errors_30d, 0)::INT AS info_errors_30d,
  COALESCE(p.warning_errors_30d, 0)::INT AS warning_errors_30d,
  COALESCE(p.error_errors_30d, 0)::INT AS error_errors_30d,
  COALESCE(p.critical_errors_30d, 0)::INT AS critical_errors_30d,
  COALESCE(p.tap_events_today, 0)::INT AS tap_events_today,
  COALESCE(p.volume_ml_today, 0)::BIGINT AS volume_ml_today,
  p.uptime_pct_today::NUMERIC(5, 2) AS uptime_pct_today,
  COALESCE(p.errors_today, 0)::INT AS errors_today,
  (CASE WHEN p.last_seen_at IS NOT NULL THEN
    GREATEST(FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - p.last_seen_at) / 86400), 0)
  END)::INT AS days_since_last_activity,
  (CASE WHEN d.installed_at IS NOT NULL THEN
    GREATEST(FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - d.installed_at) / 86400), 0)
  END)::INT AS days_since_installed,
  /* timestamps */
  d.installed_at::TIMESTAMPTZ AS installed_at,
  p.last_seen_at::TIMESTAMPTZ AS last_seen_at,
  p.last_pour_at::TIMESTAMPTZ AS last_pour_at,
  p.last_heartbeat_at::TIMESTAMPTZ AS last_heartbeat_at,
  p.last_error_at::TIMESTAMPTZ AS last_error_at,
  d.created_at::TIMESTAMPTZ AS created_at,
  d.updated_at::TIMESTAMPTZ AS updated_at,
  d.deleted_at::TIMESTAMPTZ AS deleted_at
FROM staging.stg_app__devices AS d
LEFT JOIN staging.stg_app__locations AS l
  ON l.location_id = d.location_id
LEFT JOIN intermediate.int_devices__performance AS p
  ON p.device_id = d.device_id
