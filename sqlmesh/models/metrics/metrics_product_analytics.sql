/* One row per UTC day (metric_date) from the first day of app activity the warehouse holds: the
   product-wide usage metrics (all customers together). Users come from entity.entity_users_daily
   (a user is active on a day with a session, page view or feature use; DESIGN.md §8):
     daily/weekly/monthly_active_users  distinct users active on the day / trailing 7 / 30 days
     dau_mau_ratio, wau_mau_ratio       stickiness, 0-1
     avg_session_duration               minutes per session started that day
     sessions_per_user                  sessions ÷ DAU;  avg_features_used_per_user: features used ÷ DAU
     power_users                        users active on ≥ POWER_USER_MIN_ACTIVE_DAYS_30D (15) of the
                                        trailing 30 days; power_user_percentage = ÷ MAU × 100
     desktop_usage_pct / mobile_usage_pct  % of the day's sessions on web / on iOS or Android
     avg_30d_retention_rate             % of the users active in the 30 days before the trailing 30
                                        who are active again in the trailing 30; NULL until the
                                        warehouse holds those 60 days
     feature_release_adoption_7d        over the features released in the 90 days up to the day whose
                                        first 7 days are over: mean of (users of the feature in its
                                        first 7 days ÷ users active in those 7 days) × 100
     error_rate_pct                     device errors ÷ device events (pours, heartbeats, errors) × 100
     crash_free_session_rate            % of the day's sessions that did not crash
   Incremental on the day, rebuilding today and yesterday like its inputs. */
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
      crashed_sessions, power_users, tap_events, device_errors
    )),
    assert_in_range(columns := (dau_mau_ratio, wau_mau_ratio), max_v := 1),
    assert_in_range(columns := (
      power_user_percentage, desktop_usage_pct, mobile_usage_pct, avg_30d_retention_rate,
      feature_release_adoption_7d, error_rate_pct, crash_free_session_rate
    )),
    assert_non_negative(columns := (
      daily_active_users, weekly_active_users, monthly_active_users, total_sessions, crashed_sessions,
      avg_session_duration, sessions_per_user, avg_features_used_per_user, power_users, tap_events,
      device_errors, features_released_90d
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day',
    daily_active_users = 'Distinct users active on the day (DAU)',
    weekly_active_users = 'Distinct users active in the 7 days ending on the day (WAU)',
    monthly_active_users = 'Distinct users active in the 30 days ending on the day (MAU)',
    dau_mau_ratio = 'DAU ÷ MAU (stickiness), 0-1',
    wau_mau_ratio = 'WAU ÷ MAU, 0-1',
    total_sessions = 'Sessions started on the day',
    crashed_sessions = 'Sessions started on the day that crashed',
    avg_session_duration = 'Mean session length, minutes, of the sessions started on the day',
    sessions_per_user = 'Sessions ÷ DAU',
    avg_features_used_per_user = 'Mean distinct features used per active user on the day',
    power_users = 'Users active on at least 15 of the trailing 30 days',
    power_user_percentage = 'power_users ÷ MAU × 100',
    desktop_usage_pct = '% of the day''s sessions on the web app',
    mobile_usage_pct = '% of the day''s sessions on iOS or Android',
    avg_30d_retention_rate = '% of the users active in days -59..-30 active again in days -29..0; NULL without those 60 days of data',
    features_released_90d = 'Features released in the 90 days up to the day whose first 7 days are over',
    feature_release_adoption_7d = 'Mean over those features of their 7-day adoption (% of active users in the first 7 days who used it); NULL without',
    tap_events = 'Pours recorded by all devices on the day',
    device_errors = 'Errors reported by all devices on the day',
    error_rate_pct = 'device_errors ÷ (pours + heartbeats + errors) × 100; NULL without device events',
    crash_free_session_rate = '% of the day''s sessions that did not crash; NULL without sessions'
  )
);

WITH bounds AS (
  SELECT MIN(activity_date) AS first_day FROM entity.entity_users_daily
), days AS (
  SELECT d::DATE AS metric_date
  FROM GENERATE_SERIES(
    GREATEST(@start_ds::DATE, (SELECT first_day FROM bounds)),
    LEAST(@end_ds::DATE, (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC' AT TIME ZONE 'UTC')::DATE),
    INTERVAL '1 day'
  ) AS d
), activity AS (
  SELECT user_id, activity_date, sessions, session_minutes, crashed_sessions, web_sessions,
    ios_sessions, android_sessions, features_used
  FROM entity.entity_users_daily
  WHERE activity_date BETWEEN @start_ds::DATE - 59 AND @end_ds::DATE
), daily AS (
  SELECT
    d.metric_date,
    COUNT(a.user_id) AS dau,
    SUM(a.sessions) AS sessions,
    SUM(a.session_minutes) AS session_minutes,
    SUM(a.crashed_sessions) AS crashed_sessions,
    SUM(a.web_sessions) AS web_sessions,
    SUM(a.ios_sessions + a.android_sessions) AS mobile_sessions,
    SUM(a.features_used) AS features_used
  FROM days AS d
  LEFT JOIN activity AS a
    ON a.activity_date = d.metric_date
  GROUP BY 1
), per_user_30d AS (
  SELECT d.metric_date, a.user_id, COUNT(*) AS active_days_30d, MAX(a.activity_date) AS last_day
  FROM days AS d
  JOIN activity AS a
    ON a.activity_date BETWEEN d.metric_date - 29 AND d.metric_date
  GROUP BY 1, 2
), rolling AS (
  SELECT
    metric_date,
    COUNT(*) AS mau,
    COUNT(*) FILTER (WHERE last_day > metric_date - 7) AS wau,
    COUNT(*) FILTER (WHERE active_days_30d >= @metrics_constant(POWER_USER_MIN_ACTIVE_DAYS_30D)) AS power_users
  FROM per_user_30d
  GROUP BY 1
), prior_window AS (
  SELECT DISTINCT d.metric_date, a.user_id
  FROM days AS d
  JOIN activity AS a
    ON a.activity_date BETWEEN d.metric_date - 59 AND d.metric_date - 30
), retention AS (
  SELECT
    p.metric_date,
    COUNT(*) AS prior_users,
    COUNT(c.user_id) AS retained_users
  FROM prior_window AS p
  LEFT JOIN per_user_30d AS c
    ON c.metric_date = p.metric_date AND c.user_id = p.user_id
  GROUP BY 1
), releases AS (
  SELECT
    feature_id,
    (released_at AT TIME ZONE 'UTC')::DATE AS release_day
  FROM entity.entity_features
  WHERE released_at IS NOT NULL AND NOT is_deleted
), release_adoption AS (
  /* Each release's 7-day adoption: its users in days 0-6 ÷ users active in days 0-6. */
  SELECT
    r.feature_id,
    r.release_day,
    @pct(
      (SELECT COUNT(DISTINCT f.user_id) FROM intermediate.int_features__usage_daily AS f
       WHERE f.feature_id = r.feature_id AND f.usage_date BETWEEN r.release_day AND r.release_day + 6),
      (SELECT COUNT(DISTINCT u.user_id) FROM entity.entity_users_daily AS u
       WHERE u.activity_date BETWEEN r.release_day AND r.release_day + 6)
    ) AS adoption_7d
  FROM releases AS r
  WHERE r.release_day BETWEEN @start_ds::DATE - 96 AND @end_ds::DATE - 7
), release_daily AS (
  SELECT
    d.metric_date,
    COUNT(r.feature_id) AS features_released,
    AVG(r.adoption_7d) AS adoption_7d
  FROM days AS d
  JOIN release_adoption AS r
    ON r.release_day BETWEEN d.metric_date - 96 AND d.metric_date - 7
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
  dy.metric_date::DATE AS metric_date,
  /* usage */
  dy.dau::INT AS daily_active_users,
  COALESCE(r.wau, 0)::INT AS weekly_active_users,
  COALESCE(r.mau, 0)::INT AS monthly_active_users,
  /* stickiness */
  ROUND(dy.dau::NUMERIC / NULLIF(r.mau, 0), 4)::NUMERIC(6, 4) AS dau_mau_ratio,
  ROUND(r.wau::NUMERIC / NULLIF(r.mau, 0), 4)::NUMERIC(6, 4) AS wau_mau_ratio,
  /* engagement */
  COALESCE(dy.sessions, 0)::INT AS total_sessions,
  COALESCE(dy.crashed_sessions, 0)::INT AS crashed_sessions,
  ROUND(dy.session_minutes / NULLIF(dy.sessions, 0), 2)::NUMERIC(10, 2) AS avg_session_duration,
  ROUND(dy.sessions::NUMERIC / NULLIF(dy.dau, 0), 2)::NUMERIC(10, 2) AS sessions_per_user,
  ROUND(dy.features_used::NUMERIC / NULLIF(dy.dau, 0), 2)::NUMERIC(10, 2) AS avg_features_used_per_user,
  /* segments */
  COALESCE(r.power_users, 0)::INT AS power_users,
  ROUND(@pct(r.power_users, r.mau), 2)::NUMERIC(5, 2) AS power_user_percentage,
  /* platform */
  ROUND(@pct(dy.web_sessions, dy.sessions), 2)::NUMERIC(5, 2) AS desktop_usage_pct,
  ROUND(@pct(dy.mobile_sessions, dy.sessions), 2)::NUMERIC(5, 2) AS mobile_usage_pct,
  /* retention */
  (CASE WHEN dy.metric_date - 59 >= (SELECT first_day FROM bounds)
    THEN ROUND(@pct(rt.retained_users, rt.prior_users), 2) END)::NUMERIC(5, 2) AS avg_30d_retention_rate,
  /* releases */
  COALESCE(rd.features_released, 0)::INT AS features_released_90d,
  ROUND(rd.adoption_7d, 2)::NUMERIC(5, 2) AS feature_release_adoption_7d,
  /* quality */
  COALESCE(dv.tap_events, 0)::INT AS tap_events,
  COALESCE(dv.errors, 0)::INT AS device_errors,
  ROUND(@pct(dv.errors, dv.tap_events + dv.heartbeats + dv.errors), 4)::NUMERIC(7, 4) AS error_rate_pct,
  ROUND(@pct(dy.sessions - dy.crashed_sessions, dy.sessions), 2)::NUMERIC(5, 2) AS crash_free_session_rate
FROM daily AS dy
LEFT JOIN rolling AS r
  ON r.metric_date = dy.metric_date
LEFT JOIN retention AS rt
  ON rt.metric_date = dy.metric_date
LEFT JOIN release_daily AS rd
  ON rd.metric_date = dy.metric_date
LEFT JOIN devices AS dv
  ON dv.activity_date = dy.metric_date
