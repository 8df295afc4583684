/* One row per HubSpot meeting (demos on deals, quarterly business reviews) in its latest clean
   version, with the company, contact and deal it is logged against (each null when not associated,
   and on archived records). */
MODEL (
  name staging.stg_hubspot__meetings,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key meeting_id
  ),
  grain meeting_id,
  audits (
    unique_values(columns := (meeting_id)),
    not_null(columns := (meeting_id, outcome, occurred_at, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    meeting_id = 'HubSpot meeting id',
    occurred_at = 'When the meeting starts',
    owner_id = 'The rep or agent it belongs to (stg_hubspot__owners)',
    outcome = 'SCHEDULED until it has taken place, then COMPLETED, NO_SHOW, RESCHEDULED or CANCELED'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.meetings
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS meeting_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  (payload -> 'associations' -> 'contacts' -> 0 ->> 'toObjectId')::TEXT AS contact_id,
  (payload -> 'associations' -> 'deals' -> 0 ->> 'toObjectId')::TEXT AS deal_id,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_timestamp')::TIMESTAMPTZ AS occurred_at,
  (payload -> 'properties' ->> 'hs_meeting_title')::TEXT AS title,
  (payload -> 'properties' ->> 'hs_meeting_body')::TEXT AS body,
  (payload -> 'properties' ->> 'hs_meeting_start_time')::TIMESTAMPTZ AS start_at,
  (payload -> 'properties' ->> 'hs_meeting_end_time')::TIMESTAMPTZ AS end_at,
  (payload -> 'properties' ->> 'hs_meeting_outcome')::TEXT AS outcome,
  (payload -> 'properties' ->> 'hs_meeting_location')::TEXT AS location,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (meeting_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
