/* One row per app user (a customer's staff member) as the app holds it now (deactivated,
   soft-deleted users included and flagged; revoked invites, hard-deleted, gone), with the
   engagement a user dashboard needs: DAU/WAU/MAU flags, sessions, active days, platform mix,
   crashes and features used over the trailing 7 and 30 days.
   Engagement comes from int_users__engagement, which reads only the last 30 days. */
MODEL (
  name entity.entity_users,
  kind FULL,
  grain user_id,
  audits (
    unique_values(columns := (user_id)),
    not_null(columns := (
      user_id, account_id, user_role, user_status, is_deleted, is_daily_active, is_weekly_active,
      is_monthly_active, sessions_30d, created_at, updated_at
    )),
    accepted_values(column := user_status, is_in := ('invited', 'active', 'deactivated')),
    accepted_values(column := user_role, is_in := ('owner', 'admin', 'manager', 'staff')),
    assert_non_negative(columns := (
      active_days_7d, active_days_30d, sessions_7d, sessions_30d, session_minutes_30d,
      avg_session_minutes_30d, crashed_sessions_30d, web_sessions_30d, ios_sessions_30d,
      android_sessions_30d, page_views_30d, feature_uses_30d, features_used_7d, features_used_30d,
      days_since_last_activity, days_since_created
    )),
    assert_in_range(columns := (active_days_30d), max_v := 30),
    assert_in_range(columns := (active_days_7d), max_v := 7),
    assert_in_range(columns := (crash_rate_30d), max_v := 1)
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    account_id = 'The account (customer) the user belongs to',
    email = 'Login email, lower-cased (PII)',
    full_name = 'PII',
    user_role = 'owner, admin, manager or staff',
    user_status = 'invited, active or deactivated',
    is_deleted = 'Soft-deleted in the app (deactivated)',
    is_daily_active = 'Active today, UTC (counts towards DAU)',
    is_weekly_active = 'Active in the trailing 7 UTC days, today included (WAU)',
    is_monthly_active = 'Active in the trailing 30 UTC days, today included (MAU)',
    primary_platform = 'Platform of most sessions in the trailing 30 days; NULL without sessions',
    active_days_30d = 'Days with any session, page view or feature use in the trailing 30 days',
    sessions_30d = 'Sessions started in the trailing 30 days',
    avg_session_minutes_30d = 'session_minutes_30d ÷ sessions_30d; NULL without sessions',
    crash_rate_30d = 'crashed_sessions_30d ÷ sessions_30d, 0-1; NULL without sessions',
    features_used_30d = 'Distinct features used in the trailing 30 days',
    days_since_last_activity = 'Whole days from last_active_at to the build; NULL for a user never active',
    days_since_created = 'Whole days from the invite (created_at) to the build',
    last_active_at = 'Latest of the last activity in the trailing 30 days and the last login'
  )
);

SELECT
  /* ids */
  u.user_id::UUID AS user_id,
  u.account_id::UUID AS account_id,
  /* attributes */
  u.email::TEXT AS email,
  u.full_name::TEXT AS full_name,
  u.user_role::TEXT AS user_role,
  u.user_status::TEXT AS user_status,
  u.is_deleted::BOOLEAN AS is_deleted,
  COALESCE(e.is_active_today, FALSE)::BOOLEAN AS is_daily_active,
  (COALESCE(e.active_days_7d, 0) > 0)::BOOLEAN AS is_weekly_active,
  (e.user_id IS NOT NULL)::BOOLEAN AS is_monthly_active,
  e.primary_platform::TEXT AS primary_platform,
  /* measures */
  COALESCE(e.active_days_7d, 0)::INT AS active_days_7d,
  COALESCE(e.active_days_30d, 0)::INT AS active_days_30d,
  COALESCE(e.sessions_7d, 0)::INT AS sessions_7d,
  COALESCE(e.sessions_30d, 0)::INT AS sessions_30d,
  COALESCE(e.session_minutes_30d, 0)::NUMERIC(12, 1) AS session_minutes_30d,
  ROUND(e.session_minutes_30d / NULLIF(e.sessions_30d, 0), 1)::NUMERIC(10, 1) AS avg_session_minutes_30d,
  COALESCE(e.crashed_sessions_30d, 0)::INT AS crashed_sessions_30d,
  e.crash_rate_30d::NUMERIC(5, 4) AS crash_rate_30d,
  COALESCE(e.web_sessions_30d, 0)::INT AS web_sessions_30d,
  COALESCE(e.ios_sessions_30d, 0)::INT AS ios_sessions_30d,
  COALESCE(e.android_sessions_30d, 0)::INT AS android_sessions_30d,
  COALESCE(e.page_views_30d, 0)::INT AS page_views_30d,
  COALESCE(e.feature_uses_30d, 0)::INT AS feature_uses_30d,
  COALESCE(e.features_used_7d, 0)::INT AS features_used_7d,
  COALESCE(e.features_used_30d, 0)::INT AS features_used_30d,
  (CASE WHEN COALESCE(e.last_active_at, u.last_login_at) IS NOT NULL THEN
    GREATEST(
      FLOOR(
        EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - GREATEST(e.last_active_at, u.last_login_at))
        / 86400
      ),
      0
    )
  END)::INT AS days_since_last_activity,
  GREATEST(
    FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - u.created_at) / 86400),
    0
  )::INT AS days_since_created,
  /* timestamps */
  GREATEST(e.last_active_at, u.last_login_at)::TIMESTAMPTZ AS last_active_at,
  u.last_login_at::TIMESTAMPTZ AS last_login_at,
  u.created_at::TIMESTAMPTZ AS created_at,
  u.updated_at::TIMESTAMPTZ AS updated_at,
  u.deleted_at::TIMESTAMPTZ AS deleted_at
FROM staging.stg_app__users AS u
LEFT JOIN intermediate.int_users__engagement AS e
  ON e.user_id = u.user_id
