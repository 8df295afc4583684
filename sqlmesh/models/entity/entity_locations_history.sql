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

WITH versions AS (
  SELECT
    location_id,
    account_id,
    location_name,
    city,
    country_code,
    timezone,
    location_status,
    is_deleted,
    deleted_at,
    created_at,
    valid_from,
    valid_to,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(account_id) OVER w AS prev_account_id,
    LAG(location_name) OVER w AS prev_location_name,
    LAG(city) OVER w AS prev_city,
    LAG(country_code) OVER w AS prev_country_code,
    LAG(timezone) OVER w AS prev_timezone,
    LAG(location_status) OVER w AS prev_location_status,
    LAG(is_deleted) OVER w AS prev_is_deleted,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_locations__versions
  WINDOW w AS (PARTITION BY location_id ORDER BY valid_from)
), windows AS (
  SELECT
    location_id,
    account_id,
    location_name,
    city,
    country_code,
    timezone,
    location_status,
    is_deleted,
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
            CASE WHEN account_id IS DISTINCT FROM prev_account_id THEN 'account_id' END,
            CASE WHEN location_name IS DISTINCT FROM prev_location_name THEN 'location_name' END,
            CASE WHEN city IS DISTINCT FROM prev_city THEN 'city' END,
            CASE WHEN country_code IS DISTINCT FROM prev_country_code THEN 'country_code' END,
            CASE WHEN timezone IS DISTINCT FROM prev_timezone THEN 'timezone' END,
            CASE WHEN location_status IS DISTINCT FROM prev_location_status THEN 'location_status' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the location was hard-deleted then. */
  SELECT
    location_id,
    account_id,
    location_name,
    city,
    country_code,
    timezone,
    location_status,
    TRUE AS is_deleted,
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
