/* One row per product feature as the app holds it now (deleted features included and flagged),
   with the adoption a product dashboard needs: users and accounts using it over the trailing 7
   and 30 days, and its adoption rate (users using the feature ÷ active users, DESIGN §8).
   Adoption comes from int_features__adoption, which reads only the last 30 days. */
MODEL (
  name entity.entity_features,
  kind FULL,
  grain feature_id,
  audits (
    unique_values(columns := (feature_id)),
    unique_values(columns := (feature_key)),
    not_null(columns := (
      feature_id, feature_key, feature_name, feature_status, is_deleted, users_7d, users_30d,
      active_users_30d, released_at, created_at, updated_at
    )),
    accepted_values(column := feature_status, is_in := ('beta', 'ga', 'deprecated')),
    assert_non_negative(columns := (
      users_today, users_7d, users_30d, accounts_30d, uses_7d, uses_30d, active_users_7d,
      active_users_30d, days_since_release, days_since_last_use
    )),
    assert_in_range(columns := (adoption_rate_7d, adoption_rate_30d), max_v := 1)
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    feature_key = 'Stable machine name of the feature',
    feature_status = 'beta, ga or deprecated',
    is_deleted = 'Soft-deleted in the app',
    users_today = 'Distinct users who used the feature today (UTC)',
    users_7d = 'Distinct users who used the feature in the trailing 7 UTC days, today included',
    users_30d = 'Distinct users who used the feature in the trailing 30 UTC days, today included',
    accounts_30d = 'Distinct accounts whose users used it in the trailing 30 days',
    active_users_7d = 'Users active in the app in the trailing 7 days (WAU), the 7-day denominator',
    active_users_30d = 'Users active in the app in the trailing 30 days (MAU), the 30-day denominator',
    adoption_rate_7d = 'Feature adoption rate: users_7d ÷ active_users_7d, 0-1; NULL when nobody was active',
    adoption_rate_30d = 'Feature adoption rate: users_30d ÷ active_users_30d, 0-1; NULL when nobody was active',
    days_since_release = 'Whole days from released_at to the build',
    days_since_last_use = 'Whole days from the last use to the build; NULL when unused in the trailing 30 days',
    last_used_at = 'Last use in the trailing 30 days'
  )
);

SELECT
  /* ids */
  f.feature_id::UUID AS feature_id,
  f.feature_key::TEXT AS feature_key,
  /* attributes */
  f.feature_name::TEXT AS feature_name,
  f.feature_category::TEXT AS feature_category,
  f.feature_status::TEXT AS feature_status,
  f.is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  COALESCE(a.users_today, 0)::INT AS users_today,
  COALESCE(a.users_7d, 0)::INT AS users_7d,
  COALESCE(a.users_30d, 0)::INT AS users_30d,
  COALESCE(a.accounts_30d, 0)::INT AS accounts_30d,
  COALESCE(a.uses_7d, 0)::INT AS uses_7d,
  COALESCE(a.uses_30d, 0)::INT AS uses_30d,
  COALESCE(a.active_users_7d, 0)::INT AS active_users_7d,
  COALESCE(a.active_users_30d, 0)::INT AS active_users_30d,
  a.adoption_rate_7d::NUMERIC(5, 4) AS adoption_rate_7d,
  a.adoption_rate_30d::NUMERIC(5, 4) AS adoption_rate_30d,
  GREATEST(
    FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - f.released_at) / 86400),
    0
  )::INT AS days_since_release,
  (CASE WHEN a.last_used_at IS NOT NULL THEN
    GREATEST(FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - a.last_used_at) / 86400), 0)
  END)::INT AS days_since_last_use,
  /* timestamps */
  f.released_at::TIMESTAMPTZ AS released_at,
  a.last_used_at::TIMESTAMPTZ AS last_used_at,
  f.created_at::TIMESTAMPTZ AS created_at,
  f.updated_at::TIMESTAMPTZ AS updated_at,
  f.deleted_at::TIMESTAMPTZ AS deleted_at
FROM staging.stg_app__features AS f
LEFT JOIN intermediate.int_features__adoption AS a
  ON a.feature_id = f.feature_id
