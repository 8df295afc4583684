/* One row per version of a product feature: key, name, category, status and release date over a
   validity window [valid_from, valid_to). Windows of a feature tile time without gap or overlap;
   the open one (valid_to NULL, is_current) is its state now. Answers "was this feature in beta
   or generally available at time T":
     WHERE valid_from <= T AND (valid_to > T OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_features__versions. A feature hard-deleted from
   the app gets a closing row (is_deleted, change_reason 'hard_deleted') from the moment its
   deletion was seen, current unless it came back. The first version reaches back to its
   created_at: what it looked like before the warehouse first saw it is not known, so its first
   known state stands in. change_reason names what changed against the previous version. */
MODEL (
  name entity.entity_features_history,
  kind VIEW,
  grain (feature_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (feature_id, valid_from)),
    not_null(columns := (feature_id, version_number, feature_key, feature_status, is_deleted, valid_from, is_current, change_reason)),
    assert_one_current_row(key := feature_id),
    assert_contiguous_history(key := feature_id)
  ),
  column_descriptions (
    feature_id = 'App feature id (uuid)',
    version_number = '1 for the first known version of the feature, counting up',
    is_deleted = 'Soft-deleted or hard-deleted from the app in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per feature',
    change_reason = 'created (appeared after the first build), first_seen (present at the first build), deleted, hard_deleted, restored, or the comma-separated tracked columns that changed: feature_key, feature_name, feature_category, feature_status, released_at',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_features__versions,
    feature_id,
    columns := [feature_key, feature_name, feature_category, feature_status, is_deleted, released_at, deleted_at],
    tracked := [feature_key, feature_name, feature_category, feature_status, released_at],
    born_at := created_at,
    deleted := is_deleted,
    gone := [deleted_at = valid_to]
  )
)
SELECT
  /* ids */
  feature_id::UUID AS feature_id,
  ROW_NUMBER() OVER (PARTITION BY feature_id ORDER BY valid_from)::INT AS version_number,
  feature_key::TEXT AS feature_key,
  /* attributes */
  feature_name::TEXT AS feature_name,
  feature_category::TEXT AS feature_category,
  feature_status::TEXT AS feature_status,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  change_reason::TEXT AS change_reason,
  /* timestamps */
  released_at::TIMESTAMPTZ AS released_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
