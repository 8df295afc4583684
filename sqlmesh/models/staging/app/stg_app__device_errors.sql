/* One error reported by a tap device.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__device_errors,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key device_error_id
  ),
  grain device_error_id,
  audits (
    unique_values(columns := (device_error_id)),
    not_null(columns := (device_error_id, device_id, error_code, severity, occurred_at))
  ),
  column_descriptions (
    device_error_id = 'App device error id (uuid)',
    severity = 'info, warning, error or critical',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
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
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time and by device and event time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (device_error_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (device_id, occurred_at));
