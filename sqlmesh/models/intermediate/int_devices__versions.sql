/* One row per version of a tap device's tracked attributes: a new version starts whenever its
   location, model, firmware, status, installation or deletion changes in stg_app__devices.
   SQLMesh maintains it as an SCD type 2 table: the run that sees a change closes the old version
   (valid_to = that run's time) and opens a new one from the same instant; a device that
   disappears from the app (hard delete) has its open version closed. Versions present at the
   first build start at 1970-01-01. Read it through entity.entity_devices_history, which adds
   is_current, the change reason and a row for each hard deletion. */
MODEL (
  name intermediate.int_devices__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key device_id,
    columns [location_id, device_model, firmware_version, device_status, installed_at, is_deleted, deleted_at],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (device_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (device_id, valid_from)),
    not_null(columns := (device_id, location_id, device_status, is_deleted, created_at, valid_from))
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    serial_number = 'Hardware serial number (not tracked: never changes)',
    created_at = 'When the device was provisioned (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  device_id::UUID AS device_id,
  location_id::UUID AS location_id,
  serial_number::TEXT AS serial_number,
  /* tracked attributes */
  device_model::TEXT AS device_model,
  firmware_version::TEXT AS firmware_version,
  device_status::TEXT AS device_status,
  is_deleted::BOOLEAN AS is_deleted,
  /* timestamps */
  installed_at::TIMESTAMPTZ AS installed_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  created_at::TIMESTAMPTZ AS created_at
FROM staging.stg_app__devices
