/* One row per version of a product feature's tracked attributes: a new version starts whenever
   its key, name, category, status, release date or deletion changes in stg_app__features (beta
   to ga, deprecation).
   SQLMesh maintains it as an SCD type 2 table: the run that sees a change closes the old version
   (valid_to = that run's time) and opens a new one from the same instant; a feature that
   disappears from the app (hard delete) has its open version closed. Versions present at the
   first build start at 1970-01-01. Read it through entity.entity_features_history. */
MODEL (
  name intermediate.int_features__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key feature_id,
    columns [feature_key, feature_name, feature_category, feature_status, released_at, is_deleted, deleted_at],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (feature_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (feature_id, valid_from)),
    not_null(columns := (feature_id, feature_key, feature_status, is_deleted, created_at, valid_from))
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    created_at = 'When the feature was created (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  feature_id::UUID AS feature_id,
  feature_key::TEXT AS feature_key,
  /* tracked attributes */
  feature_name::TEXT AS feature_name,
  feature_category::TEXT AS feature_category,
  feature_status::TEXT AS feature_status,
  is_deleted::BOOLEAN AS is_deleted,
  /* timestamps */
  released_at::TIMESTAMPTZ AS released_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  created_at::TIMESTAMPTZ AS created_at
FROM staging.stg_app__features
