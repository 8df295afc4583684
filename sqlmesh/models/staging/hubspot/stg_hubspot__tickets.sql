/* One row per HubSpot support ticket in its latest clean version: cancellation requests, failed
   payments, downgrades and customers' support requests, with the SLA timestamps (first agent
   reply, close) support is measured on. */
MODEL (
  name staging.stg_hubspot__tickets,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ticket_id
  ),
  grain ticket_id,
  audits (
    unique_values(columns := (ticket_id)),
    not_null(columns := (ticket_id, pipeline_id, pipeline_stage_id, priority, is_deleted, created_at, updated_at)),
    accepted_values(column := priority, is_in := ('LOW', 'MEDIUM', 'HIGH', 'URGENT'))
  ),
  column_descriptions (
    ticket_id = 'HubSpot ticket id',
    company_id = 'The associated company (stg_hubspot__companies)',
    contact_id = 'The associated contact (the account owner)',
    pipeline_stage_id = 'Stage id in the support pipeline (stg_hubspot__ticket_pipelines): 1 New, 2 Waiting on contact, 3 Waiting on us, 4 Closed',
    priority = 'LOW, MEDIUM, HIGH or URGENT',
    category = 'PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST or GENERAL_INQUIRY',
    source_type = 'Channel the ticket came in by: EMAIL, CHAT, PHONE, FORM',
    first_agent_reply_at = 'First reply by an agent; null while unanswered',
    closed_at = 'When the ticket was closed; null while open',
    time_to_first_agent_reply_ms = 'Milliseconds from creation to the first agent reply',
    time_to_close_ms = 'Milliseconds from creation to close'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.tickets
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS ticket_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  (payload -> 'associations' -> 'contacts' -> 0 ->> 'toObjectId')::TEXT AS contact_id,
  (payload -> 'properties' ->> 'subject')::TEXT AS subject,
  (payload -> 'properties' ->> 'content')::TEXT AS content,
  (payload -> 'properties' ->> 'hs_pipeline')::TEXT AS pipeline_id,
  (payload -> 'properties' ->> 'hs_pipeline_stage')::TEXT AS pipeline_stage_id,
  (payload -> 'properties' ->> 'hs_ticket_priority')::TEXT AS priority,
  (payload -> 'properties' ->> 'hs_ticket_category')::TEXT AS category,
  (payload -> 'properties' ->> 'source_type')::TEXT AS source_type,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'first_agent_reply_date')::TIMESTAMPTZ AS first_agent_reply_at,
  (payload -> 'properties' ->> 'closed_date')::TIMESTAMPTZ AS closed_at,
  (payload -> 'properties' ->> 'time_to_first_agent_reply')::BIGINT AS time_to_first_agent_reply_ms,
  (payload -> 'properties' ->> 'time_to_close')::BIGINT AS time_to_close_ms,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ticket_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
