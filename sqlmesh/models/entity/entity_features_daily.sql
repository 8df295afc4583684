/* One row per product feature per UTC day on which anyone used it: how many users and accounts
   used it, and its daily adoption rate (users of the feature ÷ users active that day, DESIGN §8).
   Incremental on the day, rebuilding today and yesterday like its inputs. */
MODEL (
  name entity.entity_features_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (feature_id, activity_date),
  audits (
    unique_combination_of_columns(columns := (feature_id, activity_date)),
    not_null(columns := (feature_id, activity_date, feature_users, uses, daily_active_users)),
    assert_non_negative(columns := (feature_users, feature_accounts, uses, daily_active_users)),
    assert_in_range(columns := (adoption_rate), max_v := 1)
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    feature_users = 'Distinct users who used the feature that day',
    feature_accounts = 'Distinct accounts whose users used the feature that day',
    uses = 'Uses of the feature that day (any action)',
    daily_active_users = 'Distinct users active in the app that day (DAU), the adoption denominator',
    adoption_rate = 'feature_users ÷ daily_active_users, 0-1',
    activity_date = 'The UTC day (event time)',
    last_used_at = 'Last use of the feature that day'
  )
);

WITH usage AS (
  SELECT
    feature_id,
    usage_date AS activity_date,
    COUNT(DISTINCT user_id) AS feature_users,
    COUNT(DISTINCT account_id) AS feature_accounts,
    SUM(uses) AS uses,
    MAX(last_used_at) AS last_used_at
  FROM intermediate.int_features__usage_daily
  WHERE usage_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1, 2
), dau AS (
  SELECT
    activity_date,
    COUNT(*) AS daily_active_users
  FROM entity.entity_users_daily
  WHERE activity_date BETWEEN @start_ds AND @end_ds
  GROUP BY 1
)
SELECT
  /* ids */
  u.feature_id::UUID AS feature_id,
  /* measures */
  u.feature_users::INT AS feature_users,
  u.feature_accounts::INT AS feature_accounts,
  u.uses::INT AS uses,
  COALESCE(a.daily_active_users, 0)::INT AS daily_active_users,
  ROUND(u.feature_users::NUMERIC / NULLIF(a.daily_active_users, 0), 4)::NUMERIC(5, 4) AS adoption_rate,
  /* timestamps */
  u.activity_date::DATE AS activity_date,
  u.last_used_at::TIMESTAMPTZ AS last_used_at
FROM usage AS u
LEFT JOIN dau AS a
  ON a.activity_date = u.activity_date;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (activity_date));
