/* One row per product feature (deleted and deprecated ones included and flagged): its adoption
   funnel over the trailing 30 UTC days ending on the day of the build (funnel_date), each stage a
   subset of the one before:
     available_users  users active in the app (any session, page view or feature use) in the
                      window on or after the day the feature was released, plus anyone who used it
     tried_users      users who used the feature at least once in the window
     repeat_users     users who used it on at least 2 distinct days
     adopted_users    users who used it on at least 4 distinct days (about weekly)
   (stages and thresholds: @feature_funnel_stage, macros/product_rules.py).
   adoption_rate is DESIGN §8's feature adoption rate: users using the feature ÷ active users =
   tried_users ÷ active_users_30d (the MAU); it equals entity_features.adoption_rate_30d.
   The *_ratio columns are the stage-to-stage conversions (0-1, NULL when the earlier stage is 0). */
MODEL (
  name marts.product_feature_funnel,
  kind FULL,
  owner product_analytics,
  grain feature_id,
  audits (
    unique_values(columns := (feature_id)),
    not_null(columns := (
      feature_id, feature_key, feature_status, is_deleted, funnel_date, active_users_30d,
      available_users, tried_users, repeat_users, adopted_users, uses_30d
    )),
    accepted_values(column := feature_status, is_in := ('beta', 'ga', 'deprecated')),
    assert_non_negative(columns := (
      active_users_30d, available_users, tried_users, repeat_users, adopted_users, uses_30d
    )),
    assert_in_range(
      columns := (adoption_rate, available_to_tried_ratio, tried_to_repeat_ratio, repeat_to_adopted_ratio),
      max_v := 1
    )
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    feature_key = 'Stable machine name of the feature',
    feature_status = 'beta, ga or deprecated',
    is_deleted = 'Soft-deleted in the app',
    funnel_date = 'Last UTC day of the 30-day window (the day of the build)',
    active_users_30d = 'Users active in the app in the window (MAU): the adoption-rate denominator',
    available_users = 'Users active in the window on or after the feature''s release day, plus its users',
    tried_users = 'Users who used the feature at least once in the window',
    repeat_users = 'Users who used the feature on at least 2 distinct days in the window',
    adopted_users = 'Users who used the feature on at least 4 distinct days in the window',
    uses_30d = 'Uses of the feature in the window (any action)',
    adoption_rate = 'Feature adoption rate (DESIGN §8): tried_users ÷ active_users_30d, 0-1; NULL when nobody was active',
    available_to_tried_ratio = 'tried_users ÷ available_users, 0-1',
    tried_to_repeat_ratio = 'repeat_users ÷ tried_users, 0-1',
    repeat_to_adopted_ratio = 'adopted_users ÷ repeat_users, 0-1',
    released_at = 'When the feature was released'
  )
);

WITH feature_users AS (
  SELECT
    feature_id,
    user_id,
    COUNT(DISTINCT usage_date) AS use_days,
    SUM(uses) AS uses
  FROM intermediate.int_features__usage_daily
  WHERE
    usage_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
  GROUP BY
    feature_id,
    user_id
), stages AS (
  SELECT
    feature_id,
    COUNT(*) FILTER (WHERE @feature_funnel_stage(use_days) IN ('tried', 'repeat', 'adopted')) AS tried_users,
    COUNT(*) FILTER (WHERE @feature_funnel_stage(use_days) IN ('repeat', 'adopted')) AS repeat_users,
    COUNT(*) FILTER (WHERE @feature_funnel_stage(use_days) = 'adopted') AS adopted_users,
    SUM(uses) AS uses_30d
  FROM feature_users
  GROUP BY
    feature_id
), active_users AS (
  SELECT
    user_id,
    MAX(activity_date) AS last_active_date
  FROM entity.entity_users_daily
  WHERE
    activity_date BETWEEN @execution_ds::DATE - 29 AND @execution_ds::DATE
  GROUP BY
    user_id
), available AS (
  SELECT
    f.feature_id,
    COUNT(*) FILTER (
      WHERE a.last_active_date >= (f.released_at AT TIME ZONE 'UTC')::DATE OR fu.user_id IS NOT NULL
    ) AS available_users,
    COUNT(*) AS active_users_30d
  FROM entity.entity_features AS f
  CROSS JOIN active_users AS a
  LEFT JOIN feature_users AS fu
    ON fu.feature_id = f.feature_id AND fu.user_id = a.user_id
  GROUP BY
    f.feature_id
), funnel AS (
  SELECT
    f.feature_id,
    f.feature_key,
    f.feature_name,
    f.feature_category,
    f.feature_status,
    f.is_deleted,
    f.released_at,
    COALESCE(av.active_users_30d, 0) AS active_users_30d,
    COALESCE(av.available_users, 0) AS available_users,
    COALESCE(s.tried_users, 0) AS tried_users,
    COALESCE(s.repeat_users, 0) AS repeat_users,
    COALESCE(s.adopted_users, 0) AS adopted_users,
    COALESCE(s.uses_30d, 0) AS uses_30d
  FROM entity.entity_features AS f
  LEFT JOIN available AS av
    ON av.feature_id = f.feature_id
  LEFT JOIN stages AS s
    ON s.feature_id = f.feature_id
)
SELECT
  /* ids */
  feature_id::UUID AS feature_id,
  feature_key::TEXT AS feature_key,
  /* attributes */
  feature_name::TEXT AS feature_name,
  feature_category::TEXT AS feature_category,
  feature_status::TEXT AS feature_status,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures: the funnel */
  active_users_30d::INT AS active_users_30d,
  available_users::INT AS available_users,
  tried_users::INT AS tried_users,
  repeat_users::INT AS repeat_users,
  adopted_users::INT AS adopted_users,
  uses_30d::INT AS uses_30d,
  @ratio_of(tried_users, active_users_30d)::NUMERIC(5, 4) AS adoption_rate,
  @ratio_of(tried_users, available_users)::NUMERIC(5, 4) AS available_to_tried_ratio,
  @ratio_of(repeat_users, tried_users)::NUMERIC(5, 4) AS tried_to_repeat_ratio,
  @ratio_of(adopted_users, repeat_users)::NUMERIC(5, 4) AS repeat_to_adopted_ratio,
  /* timestamps */
  @execution_ds::DATE AS funnel_date,
  released_at::TIMESTAMPTZ AS released_at
FROM funnel
