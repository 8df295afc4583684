/* One row per HubSpot logged call (discovery and decision-maker calls on deals, customer-success
   check-ins) in its latest clean version, with the company, contact and deal it is logged against
   (each null when not associated, and on archived records). */
MODEL (
  name staging.stg_hubspot__calls,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key call_id
  ),
  grain call_id,
  audits (
    unique_values(columns := (call_id)),
    not_null(columns := (call_id, call_status, occurred_at, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    call_id = 'HubSpot call id',
    occurred_at = 'When the call took place',
    owner_id = 'The rep or agent it belongs to (stg_hubspot__owners)',
    disposition_id = 'HubSpot call outcome id (connected, no answer, left voicemail, busy)',
    call_status = 'COMPLETED, NO_ANSWER, BUSY ...',
    duration_ms = 'Call length in milliseconds'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.calls
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS call_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  (payload -> 'associations' -> 'contacts' -> 0 ->> 'toObjectId')::TEXT AS contact_id,
  (payload -> 'associations' -> 'deals' -> 0 ->> 'toObjectId')::TEXT AS deal_id,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_timestamp')::TIMESTAMPTZ AS occurred_at,
  (payload -> 'properties' ->> 'hs_call_title')::TEXT AS title,
  (payload -> 'properties' ->> 'hs_call_body')::TEXT AS body,
  (payload -> 'properties' ->> 'hs_call_direction')::TEXT AS direction,
  (payload -> 'properties' ->> 'hs_call_disposition')::TEXT AS disposition_id,
  (payload -> 'properties' ->> 'hs_call_status')::TEXT AS call_status,
  (payload -> 'properties' ->> 'hs_call_duration')::BIGINT AS duration_ms,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (call_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
