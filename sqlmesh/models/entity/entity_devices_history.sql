/* One row per version of a tap device: its location, model, firmware, status and installation
   over a validity window [valid_from, valid_to). Windows of a device tile time without gap or
   overlap; the open one (valid_to NULL, is_current) is its state now. Answers "what firmware was
   this device on, and where was it, at time T":
     WHERE valid_from <= T AND (valid_to > T OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_devices__versions. A device hard-deleted from the
   app gets a closing row (is_deleted, change_reason 'hard_deleted') from the moment its deletion
   was seen, current unless the device came back. The first version of a device reaches back to
   its created_at: what it looked like before the warehouse first saw it is not known, so its first
   known state stands in. change_reason names what changed against the previous version. */
MODEL (
  name entity.entity_devices_history,
  kind VIEW,
  grain (device_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (device_id, valid_from)),
    not_null(columns := (device_id, version_number, device_status, is_deleted, valid_from, is_current, change_reason)),
    assert_one_current_row(key := device_id),
    assert_contiguous_history(key := device_id)
  ),
  column_descriptions (
    device_id = 'App device id (uuid)',
    version_number = '1 for the first known version of the device, counting up',
    is_deleted = 'Soft-deleted (retired) or hard-deleted from the app in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per device',
    change_reason = 'created (appeared after the first build), first_seen (present at the first build), deleted, hard_deleted, restored, or the comma-separated tracked columns that changed: location_id, device_model, firmware_version, device_status, installed_at',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

WITH versions AS (
  SELECT
    device_id,
    location_id,
    serial_number,
    device_model,
    firmware_version,
    device_status,
    is_deleted,
    installed_at,
    deleted_at,
    created_at,
    valid_from,
    valid_to,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(location_id) OVER w AS prev_location_id,
    LAG(device_model) OVER w AS prev_device_model,
    LAG(firmware_version) OVER w AS prev_firmware_version,
    LAG(device_status) OVER w AS prev_device_status,
    LAG(installed_at) OVER w AS prev_installed_at,
    LAG(is_deleted) OVER w AS prev_is_deleted,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_devices__versions
  WINDOW w AS (PARTITION BY device_id ORDER BY valid_from)
), windows AS (
  SELECT
    device_id,
    location_id,
    serial_number,
    device_model,
    firmware_version,
    device_status,
    is_deleted,
    installed_at,
    deleted_at,
    /* The first version starts at created_at, unless that is later than when the warehouse first
       saw it or not before its end (the app's clock can run ahead of the warehouse's). */
    CASE
      WHEN version_seq > 1 THEN valid_from
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ AND (valid_to IS NULL OR created_at < valid_to)
        THEN created_at
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN valid_from
      ELSE LEAST(created_at, valid_from)
    END AS valid_from,
    valid_to,
    CASE
      WHEN version_seq = 1 AND valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN 'first_seen'
      WHEN version_seq = 1 THEN 'created'
      WHEN prev_valid_to < valid_from THEN 'restored'
      WHEN is_deleted AND NOT prev_is_deleted THEN 'deleted'
      WHEN prev_is_deleted AND NOT is_deleted THEN 'restored'
      /* array_to_string skips NULL elements: only the columns that changed are listed. */
      ELSE NULLIF(
        ARRAY_TO_STRING(
          ARRAY[
            CASE WHEN location_id IS DISTINCT FROM prev_location_id THEN 'location_id' END,
            CASE WHEN device_model IS DISTINCT FROM prev_device_model THEN 'device_model' END,
            CASE WHEN firmware_version IS DISTINCT FROM prev_firmware_version THEN 'firmware_version' END,
            CASE WHEN device_status IS DISTINCT FROM prev_device_status THEN 'device_status' END,
            CASE WHEN installed_at IS DISTINCT FROM prev_installed_at THEN 'installed_at' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the device was hard-deleted then. */
  SELECT
    device_id,
    location_id,
    serial_number,
    device_model,
    firmware_version,
    device_status,
    TRUE AS is_deleted,
    installed_at,
    valid_to AS deleted_at,
    valid_to AS valid_from,
    next_valid_from AS valid_to,
    'hard_deleted' AS change_reason
  FROM versions
  WHERE
    valid_to IS NOT NULL AND (next_valid_from IS NULL OR next_valid_from > valid_to)
)
SELECT
  /* ids */
  device_id::UUID AS device_id,
  ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY valid_from)::INT AS version_number,
  location_id::UUID AS location_id,
  serial_number::TEXT AS serial_number,
  /* attributes */
  device_model::TEXT AS device_model,
  firmware_version::TEXT AS firmware_version,
  device_status::TEXT AS device_status,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  change_reason::TEXT AS change_reason,
  /* timestamps */
  installed_at::TIMESTAMPTZ AS installed_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
