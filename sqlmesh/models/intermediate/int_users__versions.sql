/* One row per version of an app user's tracked attributes: a new version starts whenever the
   user's account, role, status or deletion changes in stg_app__users (logins do not make
   versions; PII is not kept here).
   SQLMesh maintains it as an SCD type 2 table: the run that sees a change closes the old version
   (valid_to = that run's time) and opens a new one from the same instant; a user that disappears
   from the app (a revoked invite is hard-deleted) has its open version closed. Versions present
   at the first build start at 1970-01-01. Read it through entity.entity_users_history. */
MODEL (
  name intermediate.int_users__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key user_id,
    columns [account_id, user_role, user_status, is_deleted, deleted_at],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (user_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (user_id, valid_from)),
    not_null(columns := (user_id, account_id, user_role, user_status, is_deleted, created_at, valid_from))
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    created_at = 'When the user was invited (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  user_id::UUID AS user_id,
  account_id::UUID AS account_id,
  /* tracked attributes */
  user_role::TEXT AS user_role,
  user_status::TEXT AS user_status,
  is_deleted::BOOLEAN AS is_deleted,
  /* timestamps */
  deleted_at::TIMESTAMPTZ AS deleted_at,
  created_at::TIMESTAMPTZ AS created_at
FROM staging.stg_app__users
