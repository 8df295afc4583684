/* One row per Iterable email campaign in its latest state: blasts (one per send date: newsletter,
   product updates, webinar invites) and triggered journeys (trial nurture, win-back, NPS and CSAT
   surveys). labels hold the series key and the utm_campaign its links carry. */
MODEL (
  name staging.stg_iterable__campaigns,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key campaign_id
  ),
  grain campaign_id,
  audits (
    unique_values(columns := (campaign_id)),
    not_null(columns := (campaign_id, campaign_name, campaign_type, campaign_state, created_at, updated_at)),
    accepted_values(column := campaign_type, is_in := ('Blast', 'Triggered')),
    accepted_values(column := campaign_state, is_in := ('Draft', 'Ready', 'Scheduled', 'Running', 'Finished', 'Aborted'))
  ),
  column_descriptions (
    campaign_id = 'Iterable campaign id; events carry it as campaign_id',
    campaign_state = 'Blasts go Ready -> Running -> Finished; triggered campaigns stay Running',
    list_ids = 'JSON array of the lists the campaign sends to',
    labels = 'JSON array: the campaign series and its utm_campaign',
    send_size = 'Messages sent by a blast; null before it sends and for triggered campaigns',
    start_at = 'When a blast sends',
    ended_at = 'When a blast finished'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.campaigns
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::BIGINT AS campaign_id,
  (payload ->> 'templateId')::BIGINT AS template_id,
  (payload ->> 'workflowId')::BIGINT AS workflow_id,
  (payload ->> 'name')::TEXT AS campaign_name,
  (payload ->> 'type')::TEXT AS campaign_type,
  (payload ->> 'campaignState')::TEXT AS campaign_state,
  (payload ->> 'messageMedium')::TEXT AS message_medium,
  (payload ->> 'createdByUserId')::TEXT AS created_by_user_id,
  (payload ->> 'updatedByUserId')::TEXT AS updated_by_user_id,
  (payload -> 'listIds')::JSONB AS list_ids,
  (payload -> 'suppressionListIds')::JSONB AS suppression_list_ids,
  (payload -> 'labels')::JSONB AS labels,
  (payload ->> 'sendSize')::INT AS send_size,
  TO_TIMESTAMP((payload ->> 'createdAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload ->> 'updatedAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  TO_TIMESTAMP((payload ->> 'startAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS start_at,
  TO_TIMESTAMP((payload ->> 'endedAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS ended_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (campaign_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
