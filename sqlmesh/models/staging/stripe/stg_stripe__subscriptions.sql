/* One row per Stripe subscription in its latest state. A reactivated account gets a new
   subscription; its canceled one stays. The billing period sits on the items (all items of a
   subscription share it); the items themselves are in stg_stripe__subscription_items. */
MODEL (
  name staging.stg_stripe__subscriptions,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key subscription_id
  ),
  grain subscription_id,
  audits (
    unique_values(columns := (subscription_id)),
    not_null(columns := (subscription_id, customer_id, subscription_status, currency, created_at, start_date)),
    accepted_values(column := subscription_status, is_in := ('incomplete', 'incomplete_expired', 'trialing', 'active',
                                                             'past_due', 'canceled', 'unpaid', 'paused'))
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    account_id = 'App account id from the subscription metadata',
    subscription_status = 'trialing, active, past_due (a payment failed, being retried) or canceled',
    billing_cycle_anchor_at = 'The moment periods are counted from; moves when the cycle restarts',
    current_period_start = 'Start of the current billing period (from the items)',
    current_period_end = 'End of the current billing period (from the items)',
    start_date = 'When the subscription started; backdated to the sign-up for migrated accounts',
    created_at = 'When the subscription was created in Stripe',
    cancellation_reason = 'cancellation_requested or payment_failed',
    latest_invoice_id = 'The subscription''s most recent invoice',
    discount_ids = 'JSON array of the discounts applying now'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.subscriptions
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS subscription_id,
  (payload ->> 'customer')::TEXT AS customer_id,
  (payload -> 'metadata' ->> 'account_id')::UUID AS account_id,
  (payload ->> 'status')::TEXT AS subscription_status,
  (payload ->> 'currency')::TEXT AS currency,
  (payload ->> 'collection_method')::TEXT AS collection_method,
  TO_TIMESTAMP((payload ->> 'billing_cycle_anchor')::BIGINT)::TIMESTAMPTZ AS billing_cycle_anchor_at,
  TO_TIMESTAMP((payload -> 'items' -> 'data' -> 0 ->> 'current_period_start')::BIGINT)::TIMESTAMPTZ AS current_period_start,
  TO_TIMESTAMP((payload -> 'items' -> 'data' -> 0 ->> 'current_period_end')::BIGINT)::TIMESTAMPTZ AS current_period_end,
  TO_TIMESTAMP((payload ->> 'start_date')::BIGINT)::TIMESTAMPTZ AS start_date,
  TO_TIMESTAMP((payload ->> 'trial_start')::BIGINT)::TIMESTAMPTZ AS trial_start,
  TO_TIMESTAMP((payload ->> 'trial_end')::BIGINT)::TIMESTAMPTZ AS trial_end,
  TO_TIMESTAMP((payload ->> 'cancel_at')::BIGINT)::TIMESTAMPTZ AS cancel_at,
  (payload ->> 'cancel_at_period_end')::BOOLEAN AS cancel_at_period_end,
  TO_TIMESTAMP((payload ->> 'canceled_at')::BIGINT)::TIMESTAMPTZ AS canceled_at,
  TO_TIMESTAMP((payload ->> 'ended_at')::BIGINT)::TIMESTAMPTZ AS ended_at,
  (payload -> 'cancellation_details' ->> 'reason')::TEXT AS cancellation_reason,
  (payload ->> 'latest_invoice')::TEXT AS latest_invoice_id,
  (payload -> 'discounts')::JSONB AS discount_ids,
  JSONB_ARRAY_LENGTH(payload -> 'items' -> 'data')::INT AS item_count,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (subscription_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
