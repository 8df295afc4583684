/* One row per static Iterable list (Newsletter, Product updates, Trial nurture, Churn win-back). */
MODEL (
  name staging.stg_iterable__lists,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key list_id
  ),
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
  SELECT * FROM raw_iterable.lists
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::BIGINT AS list_id,
  (payload ->> 'name')::TEXT AS list_name,
  (payload ->> 'listType')::TEXT AS list_type,
  TO_TIMESTAMP((payload ->> 'createdAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (list_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
