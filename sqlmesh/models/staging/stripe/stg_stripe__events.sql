/* One row per Stripe event: a change to a billing object, with the object as it was right after
   (`object`) and, for *.updated events, the fields it changed from (`previous_attributes`).
   The history of every object is here; Stripe keeps events 30 days, raw keeps them for good. */
MODEL (
  name staging.stg_stripe__events,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key event_id
  ),
  grain event_id,
  audits (
    unique_values(columns := (event_id)),
    not_null(columns := (event_id, event_type, object_id, object_type, created_at))
  ),
  column_descriptions (
    event_id = 'Stripe event id (evt_...)',
    event_type = 'What happened, e.g. customer.subscription.updated, invoice.paid, charge.failed',
    object_type = 'The changed object''s type (customer, subscription, invoice, charge, ...)',
    object_id = 'The changed object''s id',
    object = 'The object right after the change (JSON)',
    previous_attributes = 'For *.updated events: the changed top-level fields'' old values (JSON)',
    idempotency_key = 'Set on changes the app asked for: the app''s own event id (sim account event)',
    api_version = 'API version the object is rendered in'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.events
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS event_id,
  (payload ->> 'type')::TEXT AS event_type,
  (payload -> 'data' -> 'object' ->> 'object')::TEXT AS object_type,
  (payload -> 'data' -> 'object' ->> 'id')::TEXT AS object_id,
  (payload -> 'data' -> 'object')::JSONB AS object,
  (payload -> 'data' -> 'previous_attributes')::JSONB AS previous_attributes,
  (payload -> 'request' ->> 'id')::TEXT AS request_id,
  (payload -> 'request' ->> 'idempotency_key')::TEXT AS idempotency_key,
  (payload ->> 'api_version')::TEXT AS api_version,
  (payload ->> 'pending_webhooks')::INT AS pending_webhooks,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (event_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
