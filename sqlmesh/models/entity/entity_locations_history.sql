/* One row per version of a location: its account, name, address, time zone and status over a
   validity window [valid_from, valid_to). Windows of a location tile time without gap or overlap;
   the open one (valid_to NULL, is_current) is its state now. Answers "was this location open,
   and whose was it, at time T":
     WHERE valid_from <= T AND (valid_to > T OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_locations__versions. A location hard-deleted from
   the app gets a closing row (is_deleted, change_reason 'hard_deleted') from the moment its
   deletion was seen, current unless the location came back. The first version reaches back to
   its created_at: what it looked like before the warehouse first saw it is not known, so its
   first known state stands in. change_reason names what changed against the previous version. */
MODEL (
  name entity.entity_locations_history,
  kind VIEW,
  grain (location_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (location_id, valid_from)),
    not_null(columns := (location_id, version_number, account_id, location_status, is_deleted, valid_from, is_current, change_reason)),
    assert_one_current_row(key := location_id),
    assert_contiguous_history(key := location_id)
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    version_number = '1 for the first known version of the location, counting up',
    is_deleted = 'Soft-deleted or hard-deleted from the app in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per location',
    change_reason = 'created (appeared after the first build), first_seen (present at the first build), deleted, hard_deleted, restored, or the comma-separated tracked columns that changed: account_id, location_name, city, country_code, timezone, location_status',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_locations__versions,
    location_id,
    columns := [account_id, location_name, city, country_code, timezone, location_status, is_deleted, deleted_at],
    tracked := [account_id, location_name, city, country_code, timezone, location_status],
    born_at := created_at,
    deleted := is_deleted,
    gone := [deleted_at = valid_to]
  )
)
SELECT
  /* ids */
  location_id::UUID AS location_id,
  ROW_NUMBER() OVER (PARTITION BY location_id ORDER BY valid_from)::INT AS version_number,
  account_id::UUID AS account_id,
  /* attributes */
  location_name::TEXT AS location_name,
  city::TEXT AS city,
  country_code::TEXT AS country_code,
  timezone::TEXT AS timezone,
  location_status::TEXT AS location_status,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  change_reason::TEXT AS change_reason,
  /* timestamps */
  deleted_at::TIMESTAMPTZ AS deleted_at,
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
