/* One app session of a user, on web, iOS or Android.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__sessions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
  ),
  grain session_id,
  audits (
    unique_values(columns := (session_id)),
    not_null(columns := (session_id, user_id, platform, started_at, ended_at))
  ),
  column_descriptions (
    session_id = 'App session id (uuid)',
    is_crashed = 'The session ended in a crash',
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
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
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
