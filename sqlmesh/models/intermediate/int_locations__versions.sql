/* One row per version of a location's tracked attributes: a new version starts whenever its
   account, name, address, time zone, status or deletion changes in stg_app__locations.
   SQLMesh maintains it as an SCD type 2 table: the run that sees a change closes the old version
   (valid_to = that run's time) and opens a new one from the same instant; a location that
   disappears from the app (hard delete) has its open version closed. Versions present at the
   first build start at 1970-01-01. Read it through entity.entity_locations_history. */
MODEL (
  name intermediate.int_locations__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key location_id,
    columns [account_id, location_name, city, country_code, timezone, location_status, is_deleted, deleted_at],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (location_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (location_id, valid_from)),
    not_null(columns := (location_id, account_id, location_status, is_deleted, created_at, valid_from))
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    created_at = 'When the location was created (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  location_id::UUID AS location_id,
  account_id::UUID AS account_id,
  /* tracked attributes */
  location_name::TEXT AS location_name,
  city::TEXT AS city,
  country_code::TEXT AS country_code,
  timezone::TEXT AS timezone,
  location_status::TEXT AS location_status,
  is_deleted::BOOLEAN AS is_deleted,
  /* timestamps */
  deleted_at::TIMESTAMPTZ AS deleted_at,
  created_at::TIMESTAMPTZ AS created_at
FROM staging.stg_app__locations
