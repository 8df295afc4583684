/* One heartbeat sent by a tap device: whether it was online, and its signal.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__device_heartbeats,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
  ),
  grain heartbeat_id,
  audits (
    unique_values(columns := (heartbeat_id)),
    not_null(columns := (heartbeat_id, device_id, heartbeat_status, sent_at))
  ),
  column_descriptions (
    heartbeat_id = 'App heartbeat id (uuid)',
    heartbeat_status = 'online or offline',
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
  )
);

SELECT
  id::UUID AS heartbeat_id,
  device_id::UUID AS device_id,
  status::TEXT AS heartbeat_status,
  firmware_version::TEXT AS firmware_version,
  signal_strength_dbm::SMALLINT AS signal_strength_dbm,
  sent_at::TIMESTAMPTZ AS sent_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.device_heartbeats
WHERE
  NOT _deleted
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
