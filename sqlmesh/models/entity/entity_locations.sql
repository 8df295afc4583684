/* One row per bar or restaurant location as it is now (closed, soft-deleted locations included and
   flagged; hard-deleted ones gone), with its tap fleet and the activity a location dashboard
   needs: devices by status, pours, volume, uptime and errors over the trailing 30 days and today.
   Event metrics come from int_locations__activity, which reads only the last 30 days. */
MODEL (
  name entity.entity_locations,
  kind FULL,
  grain location_id,
  audits (
    unique_values(columns := (location_id)),
    not_null(columns := (
      location_id, account_id, location_name, location_status, is_active, is_deleted,
      total_devices, tap_events_30d, created_at, updated_at
    )),
    accepted_values(column := location_status, is_in := ('active', 'closed')),
    assert_non_negative(columns := (
      total_devices, online_devices, offline_devices, provisioning_devices, retired_devices,
      reporting_days_30d, pouring_days_30d, tap_events_30d, volume_ml_30d, heartbeats_30d,
      online_heartbeats_30d, errors_30d, critical_errors_30d, tap_events_today, volume_ml_today,
      days_since_last_activity
    )),
    assert_in_range(columns := (device_online_pct, uptime_pct_30d)),
    assert_in_range(columns := (reporting_days_30d, pouring_days_30d), max_v := 30)
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    account_id = 'The account (customer) that owns the location',
    location_status = 'active or closed',
    is_active = 'Open: status active and not deleted',
    is_deleted = 'Soft-deleted in the app (closed with its account)',
    total_devices = 'Tap devices at the location that are not retired',
    online_devices = 'Devices whose current status is online',
    offline_devices = 'Devices whose current status is offline',
    provisioning_devices = 'Devices provisioned but not yet installed',
    retired_devices = 'Devices retired (replaced, or the location closed)',
    device_online_pct = 'online_devices ÷ (online + offline devices) × 100, now; NULL without installed devices',
    reporting_days_30d = 'Days in the trailing 30 UTC days (today included) on which any device reported',
    pouring_days_30d = 'Days in the trailing 30 with at least one pour',
    tap_events_30d = 'Pours in the trailing 30 days',
    volume_ml_30d = 'Millilitres poured in the trailing 30 days',
    avg_daily_volume_ml_30d = 'volume_ml_30d ÷ pouring_days_30d; NULL without pours',
    uptime_pct_30d = 'Heartbeat uptime of its devices over the trailing 30 days, %; NULL without heartbeats',
    errors_30d = 'Device errors in the trailing 30 days',
    days_since_last_activity = 'Whole days from the last pour to the build; NULL when no pour in the trailing 30 days',
    last_pour_at = 'Last pour in the trailing 30 days',
    last_seen_at = 'Last report of any of its devices in the trailing 30 days'
  )
);

WITH fleet AS (
  SELECT
    location_id,
    COUNT(*) FILTER (WHERE device_status <> 'retired') AS total_devices,
    COUNT(*) FILTER (WHERE device_status = 'online') AS online_devices,
    COUNT(*) FILTER (WHERE device_status = 'offline') AS offline_devices,
    COUNT(*) FILTER (WHERE device_status = 'provisioning') AS provisioning_devices,
    COUNT(*) FILTER (WHERE device_status = 'retired') AS retired_devices
  FROM staging.stg_app__devices
  GROUP BY location_id
)
SELECT
  /* ids */
  l.location_id::UUID AS location_id,
  l.account_id::UUID AS account_id,
  /* attributes */
  l.location_name::TEXT AS location_name,
  l.city::TEXT AS city,
  l.country_code::TEXT AS country_code,
  l.timezone::TEXT AS timezone,
  l.location_status::TEXT AS location_status,
  (l.location_status = 'active' AND NOT l.is_deleted)::BOOLEAN AS is_active,
  l.is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  COALESCE(f.total_devices, 0)::INT AS total_devices,
  COALESCE(f.online_devices, 0)::INT AS online_devices,
  COALESCE(f.offline_devices, 0)::INT AS offline_devices,
  COALESCE(f.provisioning_devices, 0)::INT AS provisioning_devices,
  COALESCE(f.retired_devices, 0)::INT AS retired_devices,
  ROUND(100.0 * f.online_devices / NULLIF(f.online_devices + f.offline_devices, 0), 2)::NUMERIC(5, 2)
    AS device_online_pct,
  COALESCE(a.reporting_days_30d, 0)::INT AS reporting_days_30d,
  COALESCE(a.pouring_days_30d, 0)::INT AS pouring_days_30d,
  COALESCE(a.tap_events_30d, 0)::INT AS tap_events_30d,
  COALESCE(a.volume_ml_30d, 0)::BIGINT AS volume_ml_30d,
  a.avg_daily_volume_ml_30d::NUMERIC(12, 1) AS avg_daily_volume_ml_30d,
  COALESCE(a.heartbeats_30d, 0)::INT AS heartbeats_30d,
  COALESCE(a.online_heartbeats_30d, 0)::INT AS online_heartbeats_30d,
  a.uptime_pct_30d::NUMERIC(5, 2) AS uptime_pct_30d,
  COALESCE(a.errors_30d, 0)::INT AS errors_30d,
  COALESCE(a.critical_errors_30d, 0)::INT AS critical_errors_30d,
  COALESCE(a.tap_events_today, 0)::INT AS tap_events_today,
  COALESCE(a.volume_ml_today, 0)::BIGINT AS volume_ml_today,
  (CASE WHEN a.last_pour_at IS NOT NULL THEN
    GREATEST(FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - a.last_pour_at) / 86400), 0)
  END)::INT AS days_since_last_activity,
  /* timestamps */
  a.last_pour_at::TIMESTAMPTZ AS last_pour_at,
  a.last_seen_at::TIMESTAMPTZ AS last_seen_at,
  l.created_at::TIMESTAMPTZ AS created_at,
  l.updated_at::TIMESTAMPTZ AS updated_at,
  l.deleted_at::TIMESTAMPTZ AS deleted_at
FROM staging.stg_app__locations AS l
LEFT JOIN fleet AS f
  ON f.location_id = l.location_id
LEFT JOIN intermediate.int_locations__activity AS a
  ON a.location_id = l.location_id
