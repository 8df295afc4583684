/* One row per email Iterable sent: one message of a campaign to one address. */
MODEL (
  name staging.stg_iterable__email_sends,
  kind FULL,
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
    transactional_data = 'Data the triggering system passed to a triggered send (CSAT surveys: the ticket_id)'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.email_sends WHERE CARDINALITY(_flags) = 0
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
  (payload ->> 'channelId')::INT AS channel_id,
  (payload ->> 'messageTypeId')::INT AS message_type_id,
  (payload ->> 'contentId')::BIGINT AS content_id,
  (payload ->> 'emailSubject')::TEXT AS email_subject,
  (payload ->> 'transactionalData')::JSONB AS transactional_data,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
