/* One row per user, product feature and UTC day on which the user used the feature.
   The pre-aggregate that distinct-user counts over trailing windows (feature adoption, features a
   user used) are computed from, so they never scan raw usage. Incremental on the day; phones
   upload sessions up to 12 hours late, so every run rebuilds today and yesterday. */
MODEL (
  name intermediate.int_features__usage_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column usage_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (user_id, feature_id, usage_date),
  audits (
    unique_combination_of_columns(columns := (user_id, feature_id, usage_date)),
    not_null(columns := (user_id, feature_id, usage_date, uses, first_used_at, last_used_at)),
    assert_non_negative(columns := (uses))
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    feature_id = 'App feature id (uuid)',
    account_id = 'The account the user belongs to',
    uses = 'Uses of the feature by the user that day (any action)',
    usage_date = 'The UTC day of use (event time)',
    first_used_at = 'First use that day',
    last_used_at = 'Last use that day'
  )
);

SELECT
  /* ids */
  f.user_id::UUID AS user_id,
  f.feature_id::UUID AS feature_id,
  u.account_id::UUID AS account_id,
  /* measures */
  COUNT(*)::INT AS uses,
  /* timestamps */
  (f.used_at AT TIME ZONE 'UTC')::DATE AS usage_date,
  MIN(f.used_at)::TIMESTAMPTZ AS first_used_at,
  MAX(f.used_at)::TIMESTAMPTZ AS last_used_at
FROM staging.stg_app__feature_usage AS f
LEFT JOIN staging.stg_app__users AS u
  ON u.user_id = f.user_id
WHERE
  f.used_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND f.used_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
  /* A use is loaded after it happens: lets an index on _loaded_at prune old rows. */
  AND f._loaded_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
GROUP BY
  f.user_id,
  f.feature_id,
  u.account_id,
  (f.used_at AT TIME ZONE 'UTC')::DATE;

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (usage_date));
