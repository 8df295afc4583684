/* One row per location whose tap devices reported anything in the trailing 30 days (the 30 UTC
   days ending on the day of the run): pours, volume, uptime and errors over those days and today.
   Reads only those days of entity_locations_daily. */
MODEL (
  name intermediate.int_locations__activity,
  kind FULL,
  grain location_id,
  audits (
    unique_values(columns := (location_id)),
    not_null(columns := (location_id, reporting_days_30d, pouring_days_30d, tap_events_30d, last_seen_at)),
    assert_non_negative(columns := (
      reporting_days_30d, pouring_days_30d, tap_events_30d, volume_ml_30d, heartbeats_30d,
      online_heartbeats_30d, errors_30d, critical_errors_30d, tap_events_today, volume_ml_today
    )),
    assert_in_range(columns := (uptime_pct_30d)),
    assert_in_range(columns := (reporting_days_30d, pouring_days_30d), max_v := 30)
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    reporting_days_30d = 'Days in the trailing 30 on which any of its devices reported',
    pouring_days_30d = 'Days in the trailing 30 with at least one pour',
    tap_events_30d = 'Pours in the trailing 30 days',
    volume_ml_30d = 'Millilitres poured in the trailing 30 days',
    avg_daily_volume_ml_30d = 'volume_ml_30d ÷ pouring_days_30d; NULL without pours',
    heartbeats_30d = 'Heartbeats of its devices in the trailing 30 days',
    online_heartbeats_30d = 'Heartbeats that reported the device online',
    uptime_pct_30d = 'online_heartbeats_30d ÷ heartbeats_30d × 100; NULL without heartbeats',
    errors_30d = 'Device errors in the trailing 30 days',
    critical_errors_30d = 'Device errors of severity critical in the trailing 30 days',
    tap_events_today = 'Pours so far today (UTC)',
    volume_ml_today = 'Millilitres poured so far today (UTC)',
    last_pour_at = 'Last pour in the trailing 30 days',
    last_seen_at = 'Last report of any of its devices in the trailing 30 days'
  )
);

SELECT
  /* ids */
  location_id::UUID AS location_id,
  /* measures: trailing 30 days */
  COUNT(*)::INT AS reporting_days_30d,
  COUNT(*) FILTER (WHERE tap_events > 0)::INT AS pouring_days_30d,
  SUM(tap_events)::INT AS tap_events_30d,
  SUM(volume_ml)::BIGINT AS volume_ml_30d,
  ROUND(SUM(volume_ml)::NUMERIC / NULLIF(COUNT(*) FILTER (WHERE tap_events > 0), 0), 1)::NUMERIC(12, 1)
    AS avg_daily_volume_ml_30d,
  SUM(heartbeats)::INT AS heartbeats_30d,
  SUM(online_heartbeats)::INT AS online_heartbeats_30d,
  ROUND(100.0 * SUM(online_heartbeats) / NULLIF(SUM(heartbeats), 0), 2)::NUMERIC(5, 2) AS uptime_pct_30d,
  SUM(errors_total)::INT AS errors_30d,
  SUM(errors_critical)::INT AS critical_errors_30d,
  /* measures: today */
  COALESCE(SUM(tap_events) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::INT AS tap_events_today,
  COALESCE(SUM(volume_ml) FILTER (WHERE activity_date = @execution_ds::DATE), 0)::BIGINT AS volume_ml_today,
  /* timestamps */
  MAX(last_pour_at)::TIMESTAMPTZ AS last_pour_at,
  MAX(last_seen_at)::TIMESTAMPTZ AS last_seen_at
FROM entity.entity_locations_daily
WHERE activity_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
GROUP BY location_id
