/* One row per app user per UTC day on which the user was active: started a session, viewed a
   page or used a feature (the DAU definition; WAU and MAU count distinct users over these rows).
   Incremental on the day; phones upload sessions up to 12 hours late, so every run rebuilds today
   and yesterday. */
MODEL (
  name entity.entity_users_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (user_id, activity_date),
  audits (
    unique_combination_of_columns(columns := (user_id, activity_date)),
    not_null(columns := (user_id, activity_date, sessions, first_active_at, last_active_at)),
    assert_non_negative(columns := (
      sessions, session_minutes, crashed_sessions, web_sessions, ios_sessions, android_sessions,
      page_views, feature_uses, features_used
    ))
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    account_id = 'The account the user belongs to',
    sessions = 'Sessions started that day',
    session_minutes = 'Length of the sessions started that day, minutes',
    crashed_sessions = 'Sessions started that day that ended in a crash',
    web_sessions = 'Sessions on the web app',
    ios_sessions = 'Sessions on iOS',
    android_sessions = 'Sessions on Android',
    page_views = 'Pages viewed that day',
    feature_uses = 'Feature uses that day (any feature, any action)',
    features_used = 'Distinct features used that day',
    activity_date = 'The UTC day (event time)',
    first_active_at = 'First session start, page view or feature use of the day',
    last_active_at = 'Last session start, page view or feature use of the day'
  )
);

WITH sessions AS (
  SELECT
    user_id,
    (started_at AT TIME ZONE 'UTC')::DATE AS activity_date,
    COUNT(*) AS sessions,
    SUM(EXTRACT(EPOCH FROM ended_at - started_at)) / 60.0 AS session_minutes,
    COUNT(*) FILTER (WHERE is_crashed) AS crashed_sessions,
    COUNT(*) FILTER (WHERE platform = 'web') AS web_sessions,
    COUNT(*) FILTER (WHERE platform = 'ios') AS ios_sessions,
    COUNT(*) FILTER (WHERE platform = 'android') AS android_sessions,
    MIN(started_at) AS first_at,
    MAX(started_at) AS last_at
  FROM staging.stg_app__sessions
  WHERE
    started_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND started_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
    /* A session is loaded after it starts: lets an index on _loaded_at prune old rows. */
    AND _loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), views AS (
  SELECT
    user_id,
    (viewed_at AT TIME ZONE 'UTC')::DATE AS activity_date,
    COUNT(*) AS page_views,
    MIN(viewed_at) AS first_at,
    MAX(viewed_at) AS last_at
  FROM staging.stg_app__page_views
  WHERE
    viewed_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND viewed_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND _loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
), features AS (
  SELECT
    user_id,
    usage_date AS activity_date,
    SUM(uses) AS feature_uses,
    COUNT(DISTINCT feature_id) AS features_used,
    MIN(first_used_at) AS first_at,
    MAX(last_used_at) AS last_at
  FROM intermediate.int_features__usage_daily
  WHERE usage_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1, 2
), user_days AS (
  SELECT user_id, activity_date FROM sessions
  UNION
  SELECT user_id, activity_date FROM views
  UNION
  SELECT user_id, activity_date FROM features
)
SELECT
  /* ids */
  d.user_id::UUID AS user_id,
  u.account_id::UUID AS account_id,
  /* measures */
  COALESCE(s.sessions, 0)::INT AS sessions,
  ROUND(COALESCE(s.session_minutes, 0), 1)::NUMERIC(10, 1) AS session_minutes,
  COALESCE(s.crashed_sessions, 0)::INT AS crashed_sessions,
  COALESCE(s.web_sessions, 0)::INT AS web_sessions,
  COALESCE(s.ios_sessions, 0)::INT AS ios_sessions,
  COALESCE(s.android_sessions, 0)::INT AS android_sessions,
  COALESCE(v.page_views, 0)::INT AS page_views,
  COALESCE(f.feature_uses, 0)::INT AS feature_uses,
  COALESCE(f.features_used, 0)::INT AS features_used,
  /* timestamps */
  d.activity_date::DATE AS activity_date,
  LEAST(s.first_at, v.first_at, f.first_at)::TIMESTAMPTZ AS first_active_at,
  GREATEST(s.last_at, v.last_at, f.last_at)::TIMESTAMPTZ AS last_active_at
FROM user_days AS d
LEFT JOIN sessions AS s
  ON s.user_id = d.user_id AND s.activity_date = d.activity_date
LEFT JOIN views AS v
  ON v.user_id = d.user_id AND v.activity_date = d.activity_date
LEFT JOIN features AS f
  ON f.user_id = d.user_id AND f.activity_date = d.activity_date
LEFT JOIN staging.stg_app__users AS u
  ON u.user_id = d.user_id;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
