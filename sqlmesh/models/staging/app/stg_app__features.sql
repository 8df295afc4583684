/* One row per product feature as the app holds it now. */
MODEL (
  name staging.stg_app__features,
  kind FULL,
  grain feature_id,
  audits (
    unique_values(columns := (feature_id)),
    unique_values(columns := (feature_key)),
    not_null(columns := (feature_id, feature_key, feature_name, feature_status, released_at)),
    accepted_values(column := feature_status, is_in := ('beta', 'ga', 'deprecated'))
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    feature_key = 'Stable machine name of the feature'
  )
);

WITH latest AS (
  @deduplicate(raw_app.features, [id], ['_extracted_at DESC', 'updated_at DESC NULLS LAST'])
)
SELECT
  id::UUID AS feature_id,
  key::TEXT AS feature_key,
  name::TEXT AS feature_name,
  category::TEXT AS feature_category,
  status::TEXT AS feature_status,
  (deleted_at IS NOT NULL)::BOOLEAN AS is_deleted,
  released_at::TIMESTAMPTZ AS released_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
WHERE NOT _deleted
