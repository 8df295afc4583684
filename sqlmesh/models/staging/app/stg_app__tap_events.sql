/* One pour measured by a tap device: volume, duration and temperature at the tap.
   Events are immutable, so each run adds only the batches raw received since the newest
   `_loaded_at` here (when the row reached raw), however long ago the last run was. */
MODEL (
  name staging.stg_app__tap_events,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key tap_event_id
  ),
  grain tap_event_id,
  audits (
    unique_values(columns := (tap_event_id)),
    not_null(columns := (tap_event_id, device_id, location_id, volume_ml, poured_at))
  ),
  column_descriptions (
    tap_event_id = 'App tap event id (uuid)',
    poured_at = 'When the pour happened, by the device clock (UTC)',
    volume_ml = 'Volume poured in millilitres',
    _loaded_at = 'When the row was loaded into raw_app (the watermark of the next run)'
  )
);

SELECT
  id::UUID AS tap_event_id,
  device_id::UUID AS device_id,
  location_id::UUID AS location_id,
  beverage::TEXT AS beverage,
  volume_ml::INT AS volume_ml,
  duration_ms::INT AS duration_ms,
  temperature_c::NUMERIC(4, 1) AS temperature_c,
  poured_at::TIMESTAMPTZ AS poured_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM raw_app.tap_events
WHERE
  NOT _deleted
  /* Only batches newer than the newest one added: a table's batches never overlap (its el DAG
     runs one at a time), so they commit in _extracted_at order. */
  AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ);

-- The merge looks each key up, each run reads the newest _loaded_at and the models on top read by
-- load time and by device and event time: index them once, when the physical table is created.
@IF(@runtime_stage = 'creating', CREATE UNIQUE INDEX ON @this_model USING btree (tap_event_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (device_id, poured_at));
