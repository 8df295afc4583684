/* One row per bar or restaurant location as the app holds it now (latest version; hard deletes gone). */
MODEL (
  name staging.stg_app__locations,
  kind FULL,
  grain location_id,
  audits (
    unique_values(columns := (location_id)),
    not_null(columns := (location_id, account_id, location_name, location_status, created_at, updated_at)),
    accepted_values(column := location_status, is_in := ('active', 'closed'))
  ),
  column_descriptions (
    location_id = 'App location id (uuid)',
    account_id = 'The account that owns the location'
  )
);

WITH latest AS (
  @deduplicate(raw_app.locations, [id], ['_extracted_at DESC', 'updated_at DESC NULLS LAST'])
)
SELECT
  id::UUID AS location_id,
  account_id::UUID AS account_id,
  name::TEXT AS location_name,
  city::TEXT AS city,
  country::TEXT AS country_code,
  timezone::TEXT AS timezone,
  status::TEXT AS location_status,
  (deleted_at IS NOT NULL)::BOOLEAN AS is_deleted,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
WHERE NOT _deleted
