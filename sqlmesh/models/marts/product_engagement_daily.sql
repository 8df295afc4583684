/* One row per UTC day, from the first day with any user activity up to today: how many people use
   the product and how. A user is active on a day with any session, page view or feature use
   (entity.entity_users_daily); DESIGN §8:
     dau / wau / mau      distinct users active on the day / the trailing 7 / the trailing 30 UTC
                          days, the day itself included
     dau_mau_ratio        stickiness, dau ÷ mau (0-1); wau_mau_ratio = wau ÷ mau
     power_users          users active on at least 4 of the trailing 7 days (@is_power_user,
                          macros/product_rules.py); power_user_pct = power_users ÷ wau × 100
   Session measures count the sessions started on the day: avg_session_minutes = session
   minutes ÷ sessions, sessions_per_user = sessions ÷ dau; the platform split is by session
   (desktop = the web app, mobile = iOS + Android); crash_free_session_rate = 1 − crashed ÷
   sessions. Incremental on the day: phones upload up to 12 hours late, so every run rebuilds
   today and yesterday (each day's WAU and MAU read the 29 days before it). In the first 29 days
   of the warehouse's activity MAU covers fewer than 30 days (has_full_30d_window FALSE). */
MODEL (
  name marts.product_engagement_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  owner product_analytics,
  grain activity_date,
  audits (
    unique_values(columns := (activity_date)),
    not_null(columns := (
      activity_date, has_full_30d_window, dau, wau, mau, power_users, sessions, session_minutes, crashed_sessions,
      web_sessions, mobile_sessions, page_views, feature_uses
    )),
    assert_non_negative(columns := (
      dau, wau, mau, power_users, sessions, session_minutes, avg_session_minutes, sessions_per_user,
      crashed_sessions, web_sessions, ios_sessions, android_sessions, mobile_sessions, page_views,
      feature_uses, avg_features_used_per_user
    )),
    assert_in_range(columns := (dau_mau_ratio, wau_mau_ratio, crash_free_session_rate), max_v := 1),
    assert_in_range(columns := (power_user_pct, desktop_usage_pct, mobile_usage_pct))
  ),
  column_descriptions (
    activity_date = 'The UTC day',
    dau = 'Daily active users: distinct users with a session, page view or feature use on the day',
    wau = 'Weekly active users: distinct users active in the 7 UTC days ending on the day',
    mau = 'Monthly active users: distinct users active in the 30 UTC days ending on the day',
    dau_mau_ratio = 'Stickiness: dau ÷ mau, 0-1; NULL when mau is 0',
    wau_mau_ratio = 'wau ÷ mau, 0-1; NULL when mau is 0',
    power_users = 'Users active on at least 4 of the 7 days ending on the day (@is_power_user)',
    power_user_pct = 'power_users ÷ wau × 100; NULL when wau is 0',
    sessions = 'Sessions started on the day',
    session_minutes = 'Total length of those sessions, minutes',
    avg_session_minutes = 'session_minutes ÷ sessions; NULL without sessions',
    sessions_per_user = 'sessions ÷ dau; NULL when dau is 0',
    crashed_sessions = 'Sessions started on the day that ended in a crash',
    crash_free_session_rate = '1 − crashed_sessions ÷ sessions, 0-1; NULL without sessions',
    web_sessions = 'Sessions on the web app (desktop)',
    ios_sessions = 'Sessions on iOS',
    android_sessions = 'Sessions on Android',
    mobile_sessions = 'ios_sessions + android_sessions',
    desktop_usage_pct = 'web_sessions ÷ sessions × 100; NULL without sessions',
    mobile_usage_pct = 'mobile_sessions ÷ sessions × 100; NULL without sessions',
    page_views = 'Pages viewed on the day',
    feature_uses = 'Feature uses on the day (any feature, any action)',
    has_full_30d_window = 'The 30 days ending on the day all lie on or after the first day of user activity in the warehouse: FALSE while mau (and wau in the first 6 days) still undercounts',
    avg_features_used_per_user = 'Mean over the day''s active users of the distinct features each used; NULL when dau is 0'
  )
);

WITH first_day AS (
  SELECT MIN(activity_date) AS first_activity_date FROM entity.entity_users_daily
), days AS (
  SELECT
    s.series_day::DATE AS activity_date
  FROM GENERATE_SERIES(
    GREATEST(@start_ds::DATE, (SELECT first_activity_date FROM first_day)),
    LEAST(@end_ds::DATE, @execution_ds::DATE),
    INTERVAL '1 day'
  ) AS s(series_day)
  /* no rows at all before the warehouse has seen any activity */
  WHERE
    (SELECT first_activity_date FROM first_day) IS NOT NULL
), user_windows AS (
  /* each user active in the 30 days ending on each day of the range */
  SELECT
    d.activity_date,
    u.user_id,
    COUNT(*) FILTER (WHERE u.activity_date >= d.activity_date - 6) AS active_days_7d,
    BOOL_OR(u.activity_date = d.activity_date) AS is_active_on_day
  FROM days AS d
  JOIN entity.entity_users_daily AS u
    ON u.activity_date BETWEEN d.activity_date - 29 AND d.activity_date
  WHERE
    u.activity_date BETWEEN @start_ds::DATE - 29 AND @end_ds::DATE
  GROUP BY
    d.activity_date,
    u.user_id
), actives AS (
  SELECT
    activity_date,
    COUNT(*) FILTER (WHERE is_active_on_day) AS dau,
    COUNT(*) FILTER (WHERE active_days_7d > 0) AS wau,
    COUNT(*) AS mau,
    COUNT(*) FILTER (WHERE @is_power_user(active_days_7d)) AS power_users
  FROM user_windows
  GROUP BY
    activity_date
), usage AS (
  SELECT
    activity_date,
    SUM(sessions) AS sessions,
    SUM(session_minutes) AS session_minutes,
    SUM(crashed_sessions) AS crashed_sessions,
    SUM(web_sessions) AS web_sessions,
    SUM(ios_sessions) AS ios_sessions,
    SUM(android_sessions) AS android_sessions,
    SUM(page_views) AS page_views,
    SUM(feature_uses) AS feature_uses,
    SUM(features_used) AS features_used
  FROM entity.entity_users_daily
  WHERE
    activity_date BETWEEN @start_ds AND @end_ds
  GROUP BY
    activity_date
), metrics AS (
  SELECT
    d.activity_date,
    COALESCE(a.dau, 0) AS dau,
    COALESCE(a.wau, 0) AS wau,
    COALESCE(a.mau, 0) AS mau,
    COALESCE(a.power_users, 0) AS power_users,
    COALESCE(u.sessions, 0) AS sessions,
    COALESCE(u.session_minutes, 0) AS session_minutes,
    COALESCE(u.crashed_sessions, 0) AS crashed_sessions,
    COALESCE(u.web_sessions, 0) AS web_sessions,
    COALESCE(u.ios_sessions, 0) AS ios_sessions,
    COALESCE(u.android_sessions, 0) AS android_sessions,
    COALESCE(u.ios_sessions, 0) + COALESCE(u.android_sessions, 0) AS mobile_sessions,
    COALESCE(u.page_views, 0) AS page_views,
    COALESCE(u.feature_uses, 0) AS feature_uses,
    COALESCE(u.features_used, 0) AS features_used,
    d.activity_date - 29 >= (SELECT first_activity_date FROM first_day) AS has_full_30d_window
  FROM days AS d
  LEFT JOIN actives AS a
    ON a.activity_date = d.activity_date
  LEFT JOIN usage AS u
    ON u.activity_date = d.activity_date
)
SELECT
  /* measures: users */
  dau::INT AS dau,
  wau::INT AS wau,
  mau::INT AS mau,
  @ratio_of(dau, mau)::NUMERIC(5, 4) AS dau_mau_ratio,
  @ratio_of(wau, mau)::NUMERIC(5, 4) AS wau_mau_ratio,
  power_users::INT AS power_users,
  @pct_of(power_users, wau)::NUMERIC(5, 2) AS power_user_pct,
  /* measures: sessions */
  sessions::INT AS sessions,
  ROUND(session_minutes, 1)::NUMERIC(14, 1) AS session_minutes,
  ROUND(session_minutes / NULLIF(sessions, 0), 2)::NUMERIC(10, 2) AS avg_session_minutes,
  ROUND(sessions::NUMERIC / NULLIF(dau, 0), 2)::NUMERIC(10, 2) AS sessions_per_user,
  crashed_sessions::INT AS crashed_sessions,
  (1 - @ratio_of(crashed_sessions, sessions))::NUMERIC(5, 4) AS crash_free_session_rate,
  /* measures: platform split */
  web_sessions::INT AS web_sessions,
  ios_sessions::INT AS ios_sessions,
  android_sessions::INT AS android_sessions,
  mobile_sessions::INT AS mobile_sessions,
  @pct_of(web_sessions, sessions)::NUMERIC(5, 2) AS desktop_usage_pct,
  @pct_of(mobile_sessions, sessions)::NUMERIC(5, 2) AS mobile_usage_pct,
  /* measures: content and features */
  page_views::INT AS page_views,
  feature_uses::INT AS feature_uses,
  ROUND(features_used::NUMERIC / NULLIF(dau, 0), 2)::NUMERIC(10, 2) AS avg_features_used_per_user,
  /* attributes */
  has_full_30d_window::BOOLEAN AS has_full_30d_window,
  /* timestamps */
  activity_date::DATE AS activity_date
FROM metrics;

/* Downstream models read this table by day: index it once, when the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
