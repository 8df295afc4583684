/* One use of a product feature by a user.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__feature_usage,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key feature_usage_id
  ),
  grain feature_usage_id,
  audits (
    unique_values(columns := (feature_usage_id)),
    not_null(columns := (feature_usage_id, user_id, feature_id, usage_action, used_at))
  ),
  column_descriptions (
    feature_usage_id = 'App feature usage id (uuid)',
    usage_action = 'view, create, update, export or share',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
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
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (feature_usage_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
