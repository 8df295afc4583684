/* One row per HubSpot task (follow-ups on new deals) in its latest clean version, with the
   company, contact and deal it is logged against (each null when not associated, and on archived
   records). */
MODEL (
  name staging.stg_hubspot__tasks,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key task_id
  ),
  grain task_id,
  audits (
    unique_values(columns := (task_id)),
    not_null(columns := (task_id, task_status, due_at, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    task_id = 'HubSpot task id',
    due_at = 'When the task is due (its hs_timestamp)',
    owner_id = 'The rep or agent it belongs to (stg_hubspot__owners)',
    task_status = 'NOT_STARTED until done, then COMPLETED',
    completed_at = 'When it was completed; null while open'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.tasks
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS task_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  (payload -> 'associations' -> 'contacts' -> 0 ->> 'toObjectId')::TEXT AS contact_id,
  (payload -> 'associations' -> 'deals' -> 0 ->> 'toObjectId')::TEXT AS deal_id,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_timestamp')::TIMESTAMPTZ AS due_at,
  (payload -> 'properties' ->> 'hs_task_subject')::TEXT AS subject,
  (payload -> 'properties' ->> 'hs_task_body')::TEXT AS body,
  (payload -> 'properties' ->> 'hs_task_status')::TEXT AS task_status,
  (payload -> 'properties' ->> 'hs_task_priority')::TEXT AS priority,
  (payload -> 'properties' ->> 'hs_task_type')::TEXT AS task_type,
  (payload -> 'properties' ->> 'hs_task_completion_date')::TIMESTAMPTZ AS completed_at,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (task_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
