/* One row per custom event tracked in Iterable: the NPS survey responses (score 0-10 and a comment)
   and CSAT survey responses (score 1-5 for a support ticket), attributed to the survey email. */
MODEL (
  name staging.stg_iterable__custom_events,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key event_id
  ),
  grain event_id,
  audits (
    unique_values(columns := (event_id)),
    not_null(columns := (event_id, event_name, email, created_at))
  ),
  column_descriptions (
    event_id = 'Event key: <message_id>:customEvent:<event name>',
    event_name = 'nps_survey_response or csat_survey_response',
    email = 'Respondent address (PII); joins stg_iterable__users',
    user_id = 'App user id (uuid)',
    campaign_id = 'The survey campaign the response is attributed to',
    message_id = 'The survey email answered',
    score = 'NPS: 0-10; CSAT: 1-5',
    comment = 'Free-text NPS comment, may be empty (PII risk)',
    ticket_id = 'CSAT: the support ticket the survey asked about',
    data_fields = 'Every field the event carried, as JSON'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.custom_events
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'eventId')::TEXT AS event_id,
  (payload ->> 'eventName')::TEXT AS event_name,
  LOWER(payload ->> 'email')::TEXT AS email,
  (payload ->> 'userId')::UUID AS user_id,
  (payload ->> 'campaignId')::BIGINT AS campaign_id,
  (payload ->> 'templateId')::BIGINT AS template_id,
  (payload ->> 'messageId')::TEXT AS message_id,
  (payload -> 'dataFields' ->> 'score')::INT AS score,
  (payload -> 'dataFields' ->> 'comment')::TEXT AS comment,
  (payload -> 'dataFields' ->> 'ticket_id')::TEXT AS ticket_id,
  (payload -> 'dataFields')::JSONB AS data_fields,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'eventUpdatedAt')::TIMESTAMPTZ AS event_updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (event_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
