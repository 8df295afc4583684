/* One error reported by a tap device.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__device_errors,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
  ),
  grain device_error_id,
  audits (
    unique_values(columns := (device_error_id)),
    not_null(columns := (device_error_id, device_id, error_code, severity, occurred_at))
  ),
  column_descriptions (
    device_error_id = 'App device error id (uuid)',
    severity = 'info, warning, error or critical',
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
  )
);

SELECT
  id::UUID AS device_error_id,
  device_id::UUID AS device_id,
  error_code::TEXT AS error_code,
  severity::TEXT AS severity,
  message::TEXT AS error_message,
  occurred_at::TIMESTAMPTZ AS occurred_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.device_errors
WHERE
  NOT _deleted
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
