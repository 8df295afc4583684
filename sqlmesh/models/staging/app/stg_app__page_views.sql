/* One page viewed in the app during a session.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__page_views,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key page_view_id
  ),
  grain page_view_id,
  audits (
    unique_values(columns := (page_view_id)),
    not_null(columns := (page_view_id, session_id, user_id, page_path, viewed_at))
  ),
  column_descriptions (
    page_view_id = 'App page view id (uuid)',
    page_path = 'URL path of the page',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
  )
);

SELECT
  id::UUID AS page_view_id,
  session_id::UUID AS session_id,
  user_id::UUID AS user_id,
  path::TEXT AS page_path,
  viewed_at::TIMESTAMPTZ AS viewed_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.page_views
WHERE
  NOT _deleted
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (page_view_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
