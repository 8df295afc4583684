/* One row per version of an app user: account, role and status over a validity window
   [valid_from, valid_to). Windows of a user tile time without gap or overlap; the open one
   (valid_to NULL, is_current) is the user's state now. Answers "what role did this user have,
   and were they active, at time T":
     WHERE valid_from <= T AND (valid_to > T OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_users__versions (no PII). A user hard-deleted from
   the app (a revoked invite) gets a closing row (is_deleted, change_reason 'hard_deleted') from
   the moment its deletion was seen, current unless the user came back. The first version reaches
   back to the user's created_at: what it looked like before the warehouse first saw it is not
   known, so its first known state stands in. change_reason names what changed against the
   previous version. */
MODEL (
  name entity.entity_users_history,
  kind VIEW,
  grain (user_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (user_id, valid_from)),
    not_null(columns := (user_id, version_number, account_id, user_role, user_status, is_deleted, valid_from, is_current, change_reason)),
    assert_one_current_row(key := user_id),
    assert_contiguous_history(key := user_id)
  ),
  column_descriptions (
    user_id = 'App user id (uuid)',
    version_number = '1 for the first known version of the user, counting up',
    is_deleted = 'Soft-deleted (deactivated) or hard-deleted from the app in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per user',
    change_reason = 'created (appeared after the first build), first_seen (present at the first build), deleted, hard_deleted, restored, or the comma-separated tracked columns that changed: account_id, user_role, user_status',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

WITH versions AS (
  SELECT
    user_id,
    account_id,
    user_role,
    user_status,
    is_deleted,
    deleted_at,
    created_at,
    valid_from,
    valid_to,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(account_id) OVER w AS prev_account_id,
    LAG(user_role) OVER w AS prev_user_role,
    LAG(user_status) OVER w AS prev_user_status,
    LAG(is_deleted) OVER w AS prev_is_deleted,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_users__versions
  WINDOW w AS (PARTITION BY user_id ORDER BY valid_from)
), windows AS (
  SELECT
    user_id,
    account_id,
    user_role,
    user_status,
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
            CASE WHEN user_role IS DISTINCT FROM prev_user_role THEN 'user_role' END,
            CASE WHEN user_status IS DISTINCT FROM prev_user_status THEN 'user_status' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the user was hard-deleted then. */
  SELECT
    user_id,
    account_id,
    user_role,
    user_status,
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
  user_id::UUID AS user_id,
  ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY valid_from)::INT AS version_number,
  account_id::UUID AS account_id,
  /* attributes */
  user_role::TEXT AS user_role,
  user_status::TEXT AS user_status,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  change_reason::TEXT AS change_reason,
  /* timestamps */
  deleted_at::TIMESTAMPTZ AS deleted_at,
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
