/* One row per product feature in the app (deleted ones included): how many users and accounts
   used it in the trailing 7 and 30 days (UTC days ending on the day of the run, today included),
   and its adoption rate = users using the feature ÷ active users over the same window
   (DESIGN §8). A user counts as active on a day with any session, page view or feature use, so a
   feature's users are always a subset of the active users. */
MODEL (
  name intermediate.int_features__adoption,
  kind FULL,
  grain feature_id,
  audits (
    unique_values(columns := (feature_id)),
    not_null(columns := (feature_id, users_7d, users_30d, active_users_7d, active_users_30d)),
    assert_non_negative(columns := (
      users_today, users_7d, users_30d, accounts_30d, uses_7d, uses_30d, active_users_7d, active_users_30d
    )),
    assert_in_range(columns := (adoption_rate_7d, adoption_rate_30d), max_v := 1)
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    users_today = 'Distinct users who used the feature today (UTC)',
    users_7d = 'Distinct users who used the feature in the trailing 7 days',
    users_30d = 'Distinct users who used the feature in the trailing 30 days',
    accounts_30d = 'Distinct accounts whose users used the feature in the trailing 30 days',
    uses_7d = 'Uses of the feature in the trailing 7 days',
    uses_30d = 'Uses of the feature in the trailing 30 days',
    active_users_7d = 'Distinct users active in the app in the trailing 7 days (WAU)',
    active_users_30d = 'Distinct users active in the app in the trailing 30 days (MAU)',
    adoption_rate_7d = 'users_7d ÷ active_users_7d, 0-1; NULL when nobody was active',
    adoption_rate_30d = 'users_30d ÷ active_users_30d, 0-1; NULL when nobody was active',
    last_used_at = 'Last use in the trailing 30 days'
  )
);

WITH usage AS (
  SELECT
    feature_id,
    COUNT(DISTINCT user_id) FILTER (WHERE usage_date = @execution_ds::DATE) AS users_today,
    COUNT(DISTINCT user_id) FILTER (WHERE usage_date >= @execution_ds::DATE - 6) AS users_7d,
    COUNT(DISTINCT user_id) AS users_30d,
    COUNT(DISTINCT account_id) AS accounts_30d,
    SUM(uses) FILTER (WHERE usage_date >= @execution_ds::DATE - 6) AS uses_7d,
    SUM(uses) AS uses_30d,
    MAX(last_used_at) AS last_used_at
  FROM intermediate.int_features__usage_daily
  WHERE usage_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
  GROUP BY feature_id
), active AS (
  SELECT
    COUNT(DISTINCT user_id) FILTER (WHERE activity_date >= @execution_ds::DATE - 6) AS active_users_7d,
    COUNT(DISTINCT user_id) AS active_users_30d
  FROM entity.entity_users_daily
  WHERE activity_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
)
SELECT
  /* ids */
  f.feature_id::UUID AS feature_id,
  /* measures */
  COALESCE(u.users_today, 0)::INT AS users_today,
  COALESCE(u.users_7d, 0)::INT AS users_7d,
  COALESCE(u.users_30d, 0)::INT AS users_30d,
  COALESCE(u.accounts_30d, 0)::INT AS accounts_30d,
  COALESCE(u.uses_7d, 0)::INT AS uses_7d,
  COALESCE(u.uses_30d, 0)::INT AS uses_30d,
  a.active_users_7d::INT AS active_users_7d,
  a.active_users_30d::INT AS active_users_30d,
  ROUND(COALESCE(u.users_7d, 0)::NUMERIC / NULLIF(a.active_users_7d, 0), 4)::NUMERIC(5, 4) AS adoption_rate_7d,
  ROUND(COALESCE(u.users_30d, 0)::NUMERIC / NULLIF(a.active_users_30d, 0), 4)::NUMERIC(5, 4) AS adoption_rate_30d,
  /* timestamps */
  u.last_used_at::TIMESTAMPTZ AS last_used_at
FROM staging.stg_app__features AS f
CROSS JOIN active AS a
LEFT JOIN usage AS u
  ON u.feature_id = f.feature_id
