/* One row per UTC day (metric_date), from the first day of app activity the warehouse holds to
   today: the product-wide usage metrics (all customers together), under the seed's metric names.
   Usage, stickiness, engagement, segments and platform are marts.product_engagement_daily's, read
   as they are (so DAU, MAU, stickiness... are the same number in both; power users: active on at
   least 4 of the trailing 7 days, @is_power_user in macros/product_rules.py). Added here:
     avg_30d_retention_rate       users retained at day 30 ÷ users, pooled over the signup cohorts
                                  (marts.product_retention) whose day 30 fell in the 30 days up
                                  to the day; NULL without such cohorts. 0-1
     feature_release_adoption_7d  over the features released in the 90 days up to the day whose
                                  first 7 days are over: mean of users of the feature in its first
                                  7 days ÷ users active in those 7 days; NULL without. 0-1
     error_rate_pct               device errors ÷ device events (pours, heartbeats, errors) × 100
   Scales, as everywhere in the metrics layer: *_ratio and *_rate are fractions (0-1), *_pct and
   *_percentage are percentages (0-100). Incremental on the day, rebuilding today and yesterday
   like its inputs. */
MODEL (
  name metrics.metrics_product_analytics,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column metric_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner product_analytics,
  grain metric_date,
  audits (
    unique_values(columns := (metric_date)),
    not_null(columns := (
      metric_date, daily_active_users, weekly_active_users, monthly_active_users, total_sessions,
      crashed_sessions, power_users, tap_events, device_errors, features_released_90d
    )),
    assert_in_range(columns := (
      dau_mau_ratio, wau_mau_ratio, avg_30d_retention_rate, feature_release_adoption_7d, crash_free_session_rate
    ), max_v := 1),
    assert_in_range(columns := (power_user_percentage, desktop_usage_pct, mobile_usage_pct, error_rate_pct)),
    assert_non_negative(columns := (
      daily_active_users, weekly_active_users, monthly_active_users, total_sessions, crashed_sessions,
      avg_session_duration, sessions_per_user, avg_features_used_per_user, power_users, tap_events,
      device_errors, features_released_90d
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    daily_active_users = 'Distinct users active on the day (DAU; marts.product_engagement_daily.dau)',
    weekly_active_users = 'Distinct users active in the 7 days ending on the day (WAU)',
    monthly_active_users = 'Distinct users active in the 30 days ending on the day (MAU)',
    dau_mau_ratio = 'DAU ÷ MAU (stickiness), 0-1',
    wau_mau_ratio = 'WAU ÷ MAU, 0-1',
    total_sessions = 'Sessions started on the day',
    crashed_sessions = 'Sessions started on the day that crashed',
    avg_session_duration = 'Mean session length, minutes, of the sessions started on the day',
    sessions_per_user = 'Sessions ÷ DAU',
    avg_features_used_per_user = 'Mean distinct features used per active user on the day',
    power_users = 'Users active on at least 4 of the trailing 7 days (@is_power_user)',
    power_user_percentage = 'power_users ÷ WAU × 100',
    desktop_usage_pct = '% of the day''s sessions on the web app',
    mobile_usage_pct = '% of the day''s sessions on iOS or Android',
    avg_30d_retention_rate = 'Day-30 retention pooled over the cohorts whose day 30 fell in the 30 days up to the day, 0-1; NULL without',
    features_released_90d = 'Features released in the 90 days up to the day whose first 7 days are over',
    feature_release_adoption_7d = 'Mean over those features of users of the feature in its first 7 days ÷ users active in them, 0-1; NULL without',
    tap_events = 'Pours recorded by all devices on the day',
    device_errors = 'Errors reported by all devices on the day',
    error_rate_pct = 'device_errors ÷ (pours + heartbeats + errors) × 100; NULL without device events',
    crash_free_session_rate = '1 − crashed ÷ sessions of the day, 0-1; NULL without sessions'
  )
);

WITH engagement AS (
  SELECT *
  FROM marts.product_engagement_daily
  WHERE activity_date BETWEEN @start_ds AND @end_ds
), retention AS (
  SELECT
    e.activity_date,
    SUM(r.retained_d30_users) AS retained,
    SUM(r.cohort_users) AS cohort_users
  FROM engagement AS e
  JOIN marts.product_retention AS r
    ON r.is_d30_complete AND r.cohort_date + 30 BETWEEN e.activity_date - 29 AND e.activity_date
  GROUP BY 1
), release_adoption AS (
  /* Each release's 7-day adoption: its users in days 0-6 ÷ users active in days 0-6. */
  SELECT
    f.feature_id,
    (f.released_at AT TIME ZONE 'UTC')::DATE AS release_day,
    (SELECT COUNT(DISTINCT u.user_id) FROM intermediate.int_features__usage_daily AS u
     WHERE u.feature_id = f.feature_id
       AND u.usage_date BETWEEN (f.released_at AT TIME ZONE 'UTC')::DATE AND (f.released_at AT TIME ZONE 'UTC')::DATE + 6)
      ::NUMERIC
    / NULLIF((SELECT COUNT(DISTINCT a.user_id) FROM entity.entity_users_daily AS a
     WHERE a.activity_date BETWEEN (f.released_at AT TIME ZONE 'UTC')::DATE AND (f.released_at AT TIME ZONE 'UTC')::DATE + 6), 0)
      AS adoption_7d
  FROM entity.entity_features AS f
  WHERE
    f.released_at IS NOT NULL
    AND NOT f.is_deleted
    AND (f.released_at AT TIME ZONE 'UTC')::DATE BETWEEN @start_ds::DATE - 96 AND @end_ds::DATE - 7
), releases AS (
  SELECT
    e.activity_date,
    COUNT(r.feature_id) AS features_released,
    AVG(r.adoption_7d) AS adoption_7d
  FROM engagement AS e
  JOIN release_adoption AS r
    ON r.release_day BETWEEN e.activity_date - 96 AND e.activity_date - 7
  GROUP BY 1
), devices AS (
  SELECT
    activity_date,
    SUM(tap_events) AS tap_events,
    SUM(heartbeats) AS heartbeats,
    SUM(errors_total) AS errors
  FROM entity.entity_devices_daily
  WHERE activity_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1
)
SELECT
  /* ids */
  e.activity_date::DATE AS metric_date,
  /* usage */
  e.dau::INT AS daily_active_users,
  e.wau::INT AS weekly_active_users,
  e.mau::INT AS monthly_active_users,
  /* stickiness */
  e.dau_mau_ratio::NUMERIC(6, 4) AS dau_mau_ratio,
  e.wau_mau_ratio::NUMERIC(6, 4) AS wau_mau_ratio,
  /* engagement */
  e.sessions::INT AS total_sessions,
  e.crashed_sessions::INT AS crashed_sessions,
  e.avg_session_minutes::NUMERIC(10, 2) AS avg_session_duration,
  e.sessions_per_user::NUMERIC(10, 2) AS sessions_per_user,
  e.avg_features_used_per_user::NUMERIC(10, 2) AS avg_features_used_per_user,
  /* segments */
  e.power_users::INT AS power_users,
  e.power_user_pct::NUMERIC(5, 2) AS power_user_percentage,
  /* platform */
  e.desktop_usage_pct::NUMERIC(5, 2) AS desktop_usage_pct,
  e.mobile_usage_pct::NUMERIC(5, 2) AS mobile_usage_pct,
  /* retention */
  ROUND(rt.retained::NUMERIC / NULLIF(rt.cohort_users, 0), 4)::NUMERIC(5, 4) AS avg_30d_retention_rate,
  /* releases */
  COALESCE(rl.features_released, 0)::INT AS features_released_90d,
  ROUND(rl.adoption_7d, 4)::NUMERIC(5, 4) AS feature_release_adoption_7d,
  /* quality */
  COALESCE(dv.tap_events, 0)::INT AS tap_events,
  COALESCE(dv.errors, 0)::INT AS device_errors,
  ROUND(@pct(dv.errors, dv.tap_events + dv.heartbeats + dv.errors), 4)::NUMERIC(7, 4) AS error_rate_pct,
  e.crash_free_session_rate::NUMERIC(5, 4) AS crash_free_session_rate
FROM engagement AS e
LEFT JOIN retention AS rt
  ON rt.activity_date = e.activity_date
LEFT JOIN releases AS rl
  ON rl.activity_date = e.activity_date
LEFT JOIN devices AS dv
  ON dv.activity_date = e.activity_date
