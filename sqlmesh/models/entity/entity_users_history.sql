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

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_users__versions,
    user_id,
    columns := [account_id, user_role, user_status, is_deleted, deleted_at],
    tracked := [account_id, user_role, user_status],
    born_at := created_at,
    deleted := is_deleted,
    gone := [deleted_at = valid_to]
  )
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
