/* One pour measured by a tap device: volume, duration and temperature at the tap.
   Events are immutable, so each run appends what raw received in its window: `_loaded_at` is
   when the row reached raw, and the two-interval lookback catches a batch that committed after
   the previous run had read its window. */
MODEL (
  name staging.stg_app__tap_events,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column _loaded_at,
    lookback 2
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
    _loaded_at = 'When the row was loaded into raw_app (the incremental time column)'
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
  AND _extracted_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
  AND _extracted_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC';

-- Runs and the models that read this one filter on _loaded_at: a BRIN index keeps that cheap as history grows.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING brin (_loaded_at));
