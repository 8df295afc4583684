/* One row per open of a sent email (a message can be opened several times). */
MODEL (
  name staging.stg_iterable__email_opens,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key event_id
  ),
  grain event_id,
  audits (
    unique_values(columns := (event_id)),
    not_null(columns := (event_id, message_id, email, campaign_id, created_at))
  ),
  column_descriptions (
    event_id = 'Event key: <message_id>:<event type>[:<n>]',
    message_id = 'The message (one send of a campaign to one address); joins the event to its send',
    email = 'Recipient address (PII); joins stg_iterable__users',
    user_id = 'App user id (uuid); null for newsletter-only prospects',
    campaign_id = 'Iterable campaign id (stg_iterable__campaigns)',
    ip_address = 'PII'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.email_opens
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
  (payload ->> 'messageId')::TEXT AS message_id,
  LOWER(payload ->> 'email')::TEXT AS email,
  (payload ->> 'userId')::UUID AS user_id,
  (payload ->> 'campaignId')::BIGINT AS campaign_id,
  (payload ->> 'templateId')::BIGINT AS template_id,
  (payload ->> 'userAgent')::TEXT AS user_agent,
  (payload ->> 'userAgentDevice')::TEXT AS user_agent_device,
  (payload ->> 'ip')::TEXT AS ip_address,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (event_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
