/* One row per HubSpot logged call (discovery and decision-maker calls on deals, customer-success
   check-ins) in its latest clean version, with the company, contact and deal it is logged against
   (each null when not associated, and on archived records). */
MODEL (
  name staging.stg_hubspot__calls,
  kind FULL,
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
  SELECT * FROM raw_hubspot.calls WHERE CARDINALITY(_flags) = 0
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
FROM latest
