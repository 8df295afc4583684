/* One row per IoT tap device as the app holds it now (latest version; hard deletes gone). */
MODEL (
  name staging.stg_app__devices,
  kind FULL,
  grain device_id,
  audits (
    unique_values(columns := (device_id)),
    not_null(columns := (device_id, location_id, serial_number, device_status, created_at, updated_at)),
    accepted_values(column := device_status, is_in := ('provisioning', 'online', 'offline', 'retired'))
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    location_id = 'The location the device is installed at'
  )
);

WITH latest AS (
  @deduplicate(raw_app.devices, [id], ['_extracted_at DESC', 'updated_at DESC NULLS LAST'])
)
SELECT
  id::UUID AS device_id,
  location_id::UUID AS location_id,
  serial_number::TEXT AS serial_number,
  model::TEXT AS device_model,
  firmware_version::TEXT AS firmware_version,
  status::TEXT AS device_status,
  (deleted_at IS NOT NULL)::BOOLEAN AS is_deleted,
  installed_at::TIMESTAMPTZ AS installed_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
WHERE NOT _deleted
