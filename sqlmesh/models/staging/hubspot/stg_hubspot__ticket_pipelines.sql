/* One row per ticket pipeline stage (New, Waiting on contact, Waiting on us, Closed), from the
   latest clean read of /crm/v3/pipelines/tickets: the pipeline's stages array, one row each. */
MODEL (
  name staging.stg_hubspot__ticket_pipelines,
  kind FULL,
  grain (pipeline_id, stage_id),
  audits (
    unique_combination_of_columns(columns := (pipeline_id, stage_id)),
    not_null(columns := (pipeline_id, stage_id, stage_label, stage_order, is_closed))
  ),
  column_descriptions (
    pipeline_id = 'Pipeline id; tickets carry it as pipeline_id',
    stage_id = 'Stage id; tickets carry it as their stage',
    stage_order = 'Position of the stage in the pipeline, from 0',
    ticket_state = 'OPEN or CLOSED',
    is_closed = 'A ticket in this stage is resolved'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.ticket_pipelines WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  latest.id::TEXT AS pipeline_id,
  (latest.payload ->> 'label')::TEXT AS pipeline_label,
  (stage ->> 'id')::TEXT AS stage_id,
  (stage ->> 'label')::TEXT AS stage_label,
  (stage ->> 'displayOrder')::INT AS stage_order,
  (stage -> 'metadata' ->> 'ticketState')::TEXT AS ticket_state,
  (stage -> 'metadata' ->> 'ticketState' = 'CLOSED')::BOOLEAN AS is_closed,
  (stage ->> 'archived')::BOOLEAN AS is_archived,
  (latest.payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
CROSS JOIN LATERAL JSONB_ARRAY_ELEMENTS(latest.payload -> 'stages') AS stages(stage)
