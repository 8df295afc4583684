/* One row per static Iterable list (Newsletter, Product updates, Trial nurture, Churn win-back). */
MODEL (
  name staging.stg_iterable__lists,
  kind FULL,
  grain list_id,
  audits (
    unique_values(columns := (list_id)),
    not_null(columns := (list_id, list_name, created_at))
  ),
  column_descriptions (
    list_id = 'Iterable list id; users carry it in email_list_ids',
    list_type = 'Standard (static) or Dynamic'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.lists WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::BIGINT AS list_id,
  (payload ->> 'name')::TEXT AS list_name,
  (payload ->> 'listType')::TEXT AS list_type,
  TO_TIMESTAMP((payload ->> 'createdAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
