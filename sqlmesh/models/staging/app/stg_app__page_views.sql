/* One page viewed in the app during a session.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__page_views,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
  ),
  grain page_view_id,
  audits (
    unique_values(columns := (page_view_id)),
    not_null(columns := (page_view_id, session_id, user_id, page_path, viewed_at))
  ),
  column_descriptions (
    page_view_id = 'App page view id (uuid)',
    page_path = 'URL path of the page',
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
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
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
