/* One row per app user active in the trailing 30 days (the 30 UTC days ending on the day of the
   run): sessions, active days, platform mix, crashes and the features used over 30 and 7 days.
   Reads only those days of entity_users_daily and int_features__usage_daily. */
MODEL (
  name intermediate.int_users__engagement,
  kind FULL,
  grain user_id,
  audits (
    unique_values(columns := (user_id)),
    not_null(columns := (user_id, active_days_30d, sessions_30d, last_active_at)),
    assert_non_negative(columns := (
      active_days_7d, active_days_30d, sessions_7d, sessions_30d, session_minutes_30d,
      crashed_sessions_30d, web_sessions_30d, ios_sessions_30d, android_sessions_30d,
      page_views_30d, feature_uses_30d, features_used_30d, features_used_7d
    )),
    assert_in_range(columns := (active_days_30d), max_v := 30),
    assert_in_range(columns := (active_days_7d), max_v := 7),
    assert_in_range(columns := (crash_rate_30d), max_v := 1),
    accepted_values(column := primary_platform, is_in := ('web', 'ios', 'android'))
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    primary_platform = 'Platform of most sessions in the trailing 30 days (ties: web, then ios, then android); NULL without sessions',
    active_days_7d = 'Days active in the trailing 7 (today included)',
    active_days_30d = 'Days active in the trailing 30 (today included)',
    sessions_30d = 'Sessions started in the trailing 30 days',
    session_minutes_30d = 'Length of those sessions, minutes',
    crashed_sessions_30d = 'Sessions that ended in a crash',
    crash_rate_30d = 'crashed_sessions_30d ÷ sessions_30d, 0-1; NULL without sessions',
    features_used_30d = 'Distinct features used in the trailing 30 days',
    features_used_7d = 'Distinct features used in the trailing 7 days',
    last_active_at = 'Last session start, page view or feature use in the trailing 30 days'
  )
);

WITH activity AS (
  SELECT
    user_id,
    COUNT(*) FILTER (WHERE activity_date >= @execution_ds::DATE - 6) AS active_days_7d,
    COUNT(*) AS active_days_30d,
    SUM(sessions) FILTER (WHERE activity_date >= @execution_ds::DATE - 6) AS sessions_7d,
    SUM(sessions) AS sessions_30d,
    SUM(session_minutes) AS session_minutes_30d,
    SUM(crashed_sessions) AS crashed_sessions_30d,
    SUM(web_sessions) AS web_sessions_30d,
    SUM(ios_sessions) AS ios_sessions_30d,
    SUM(android_sessions) AS android_sessions_30d,
    SUM(page_views) AS page_views_30d,
    SUM(feature_uses) AS feature_uses_30d,
    BOOL_OR(activity_date = @execution_ds::DATE) AS is_active_today,
    MIN(first_active_at) AS first_active_at_30d,
    MAX(last_active_at) AS last_active_at
  FROM entity.entity_users_daily
  WHERE activity_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
  GROUP BY user_id
), features AS (
  SELECT
    user_id,
    COUNT(DISTINCT feature_id) AS features_used_30d,
    COUNT(DISTINCT feature_id) FILTER (WHERE usage_date >= @execution_ds::DATE - 6) AS features_used_7d
  FROM intermediate.int_features__usage_daily
  WHERE usage_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
  GROUP BY user_id
)
SELECT
  /* ids */
  a.user_id::UUID AS user_id,
  /* attributes */
  (CASE
    WHEN a.sessions_30d = 0 THEN NULL
    WHEN a.web_sessions_30d >= GREATEST(a.ios_sessions_30d, a.android_sessions_30d) THEN 'web'
    WHEN a.ios_sessions_30d >= a.android_sessions_30d THEN 'ios'
    ELSE 'android'
  END)::TEXT AS primary_platform,
  a.is_active_today::BOOLEAN AS is_active_today,
  /* measures */
  a.active_days_7d::INT AS active_days_7d,
  a.active_days_30d::INT AS active_days_30d,
  COALESCE(a.sessions_7d, 0)::INT AS sessions_7d,
  a.sessions_30d::INT AS sessions_30d,
  a.session_minutes_30d::NUMERIC(12, 1) AS session_minutes_30d,
  a.crashed_sessions_30d::INT AS crashed_sessions_30d,
  ROUND(a.crashed_sessions_30d::NUMERIC / NULLIF(a.sessions_30d, 0), 4)::NUMERIC(5, 4) AS crash_rate_30d,
  a.web_sessions_30d::INT AS web_sessions_30d,
  a.ios_sessions_30d::INT AS ios_sessions_30d,
  a.android_sessions_30d::INT AS android_sessions_30d,
  a.page_views_30d::INT AS page_views_30d,
  a.feature_uses_30d::INT AS feature_uses_30d,
  COALESCE(f.features_used_30d, 0)::INT AS features_used_30d,
  COALESCE(f.features_used_7d, 0)::INT AS features_used_7d,
  /* timestamps */
  a.first_active_at_30d::TIMESTAMPTZ AS first_active_at_30d,
  a.last_active_at::TIMESTAMPTZ AS last_active_at
FROM activity AS a
LEFT JOIN features AS f
  ON f.user_id = a.user_id
