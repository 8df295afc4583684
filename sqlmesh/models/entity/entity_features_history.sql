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

WITH versions AS (
  SELECT
    feature_id,
    feature_key,
    feature_name,
    feature_category,
    feature_status,
    is_deleted,
    released_at,
    deleted_at,
    created_at,
    valid_from,
    valid_to,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(feature_key) OVER w AS prev_feature_key,
    LAG(feature_name) OVER w AS prev_feature_name,
    LAG(feature_category) OVER w AS prev_feature_category,
    LAG(feature_status) OVER w AS prev_feature_status,
    LAG(released_at) OVER w AS prev_released_at,
    LAG(is_deleted) OVER w AS prev_is_deleted,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_features__versions
  WINDOW w AS (PARTITION BY feature_id ORDER BY valid_from)
), windows AS (
  SELECT
    feature_id,
    feature_key,
    feature_name,
    feature_category,
    feature_status,
    is_deleted,
    released_at,
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
            CASE WHEN feature_key IS DISTINCT FROM prev_feature_key THEN 'feature_key' END,
            CASE WHEN feature_name IS DISTINCT FROM prev_feature_name THEN 'feature_name' END,
            CASE WHEN feature_category IS DISTINCT FROM prev_feature_category THEN 'feature_category' END,
            CASE WHEN feature_status IS DISTINCT FROM prev_feature_status THEN 'feature_status' END,
            CASE WHEN released_at IS DISTINCT FROM prev_released_at THEN 'released_at' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the feature was hard-deleted then. */
  SELECT
    feature_id,
    feature_key,
    feature_name,
    feature_category,
    feature_status,
    TRUE AS is_deleted,
    released_at,
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
