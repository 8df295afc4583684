/* One heartbeat sent by a tap device: whether it was online, and its signal.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__device_heartbeats,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key heartbeat_id
  ),
  grain heartbeat_id,
  audits (
    unique_values(columns := (heartbeat_id)),
    not_null(columns := (heartbeat_id, device_id, heartbeat_status, sent_at))
  ),
  column_descriptions (
    heartbeat_id = 'App heartbeat id (uuid)',
    heartbeat_status = 'online or offline',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
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
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time and by device and event time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (heartbeat_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (device_id, sent_at));
