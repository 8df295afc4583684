/* One app session of a user, on web, iOS or Android.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__sessions,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key session_id
  ),
  grain session_id,
  audits (
    unique_values(columns := (session_id)),
    not_null(columns := (session_id, user_id, platform, started_at, ended_at))
  ),
  column_descriptions (
    session_id = 'App session id (uuid)',
    is_crashed = 'The session ended in a crash',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
  )
);

SELECT
  id::UUID AS session_id,
  user_id::UUID AS user_id,
  platform::TEXT AS platform,
  app_version::TEXT AS app_version,
  crashed::BOOLEAN AS is_crashed,
  started_at::TIMESTAMPTZ AS started_at,
  ended_at::TIMESTAMPTZ AS ended_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.sessions
WHERE
  NOT _deleted
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (session_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
