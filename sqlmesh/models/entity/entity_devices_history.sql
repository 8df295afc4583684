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

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_devices__versions,
    device_id,
    columns := [location_id, serial_number, device_model, firmware_version, device_status, is_deleted, installed_at, deleted_at],
    tracked := [location_id, device_model, firmware_version, device_status, installed_at],
    born_at := created_at,
    deleted := is_deleted,
    gone := [deleted_at = valid_to]
  )
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
