/* One row per deal pipeline stage (the sales pipeline's stages, in order, with their win
   probability), from the latest clean read of /crm/v3/pipelines/deals: the pipeline's stages
   array, one row each. */
MODEL (
  name staging.stg_hubspot__deal_pipelines,
  kind FULL,
  grain (pipeline_id, stage_id),
  audits (
    unique_combination_of_columns(columns := (pipeline_id, stage_id)),
    not_null(columns := (pipeline_id, stage_id, stage_label, stage_order, is_closed))
  ),
  column_descriptions (
    pipeline_id = 'Pipeline id; deals carry it as pipeline_id',
    stage_id = 'Stage id; deals carry it as their stage',
    stage_order = 'Position of the stage in the pipeline, from 0',
    win_probability = 'Chance a deal in this stage closes won (0 to 1)',
    is_closed = 'closedwon and closedlost end a deal'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.deal_pipelines WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  latest.id::TEXT AS pipeline_id,
  (latest.payload ->> 'label')::TEXT AS pipeline_label,
  (stage ->> 'id')::TEXT AS stage_id,
  (stage ->> 'label')::TEXT AS stage_label,
  (stage ->> 'displayOrder')::INT AS stage_order,
  (stage -> 'metadata' ->> 'probability')::NUMERIC(3, 2) AS win_probability,
  (stage -> 'metadata' ->> 'isClosed')::BOOLEAN AS is_closed,
  (stage ->> 'archived')::BOOLEAN AS is_archived,
  (latest.payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
CROSS JOIN LATERAL JSONB_ARRAY_ELEMENTS(latest.payload -> 'stages') AS stages(stage)
