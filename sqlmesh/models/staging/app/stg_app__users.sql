/* One row per app user (a customer's staff member) as the app holds it now. */
MODEL (
  name staging.stg_app__users,
  kind FULL,
  grain user_id,
  audits (
    unique_values(columns := (user_id)),
    not_null(columns := (user_id, account_id, email, user_role, user_status, created_at, updated_at)),
    accepted_values(column := user_status, is_in := ('invited', 'active', 'deactivated'))
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    email = 'Login email, lower-cased (PII)',
    full_name = 'PII'
  )
);

WITH latest AS (
  @deduplicate(raw_app.users, [id], ['_extracted_at DESC', 'updated_at DESC NULLS LAST'])
)
SELECT
  id::UUID AS user_id,
  account_id::UUID AS account_id,
  LOWER(email)::TEXT AS email,
  full_name::TEXT AS full_name,
  role::TEXT AS user_role,
  status::TEXT AS user_status,
  (deleted_at IS NOT NULL)::BOOLEAN AS is_deleted,
  last_login_at::TIMESTAMPTZ AS last_login_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
WHERE NOT _deleted
