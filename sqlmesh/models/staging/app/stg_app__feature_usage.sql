/* One use of a product feature by a user.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__feature_usage,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
  ),
  grain feature_usage_id,
  audits (
    unique_values(columns := (feature_usage_id)),
    not_null(columns := (feature_usage_id, user_id, feature_id, usage_action, used_at))
  ),
  column_descriptions (
    feature_usage_id = 'App feature usage id (uuid)',
    usage_action = 'view, create, update, export or share',
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
  )
);

SELECT
  id::UUID AS feature_usage_id,
  user_id::UUID AS user_id,
  feature_id::UUID AS feature_id,
  action::TEXT AS usage_action,
  used_at::TIMESTAMPTZ AS used_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.feature_usage
WHERE
  NOT _deleted
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
