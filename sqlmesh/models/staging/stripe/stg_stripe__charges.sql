/* One row per Stripe charge in its latest state: one attempt to collect an invoice on the card,
   succeeded or failed (dunning retries are more charges on the same payment intent). Refunds
   move amount_refunded. Amounts in currency units. */
MODEL (
  name staging.stg_stripe__charges,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key charge_id
  ),
  grain charge_id,
  audits (
    unique_values(columns := (charge_id)),
    not_null(columns := (charge_id, customer_id, charge_status, amount, currency, created_at)),
    accepted_values(column := charge_status, is_in := ('succeeded', 'pending', 'failed'))
  ),
  column_descriptions (
    charge_id = 'Stripe charge id (ch_...)',
    payment_intent_id = 'Joins stg_stripe__invoice_payments to find the invoice',
    charge_status = 'succeeded or failed',
    amount_refunded = 'Refunded so far, in currency units',
    failure_code = 'Why a failed charge was declined (card_declined, insufficient_funds, expired_card)',
    outcome_type = 'authorized or issuer_declined'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.charges
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS charge_id,
  (payload ->> 'customer')::TEXT AS customer_id,
  (payload ->> 'payment_intent')::TEXT AS payment_intent_id,
  (payload ->> 'payment_method')::TEXT AS payment_method_id,
  (payload ->> 'status')::TEXT AS charge_status,
  (payload ->> 'description')::TEXT AS description,
  (payload ->> 'currency')::TEXT AS currency,
  ((payload ->> 'amount')::NUMERIC / 100)::NUMERIC(18, 2) AS amount,
  ((payload ->> 'amount_captured')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_captured,
  ((payload ->> 'amount_refunded')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_refunded,
  (payload ->> 'paid')::BOOLEAN AS is_paid,
  (payload ->> 'captured')::BOOLEAN AS is_captured,
  (payload ->> 'refunded')::BOOLEAN AS is_refunded,
  (payload ->> 'disputed')::BOOLEAN AS is_disputed,
  (payload ->> 'failure_code')::TEXT AS failure_code,
  (payload ->> 'failure_message')::TEXT AS failure_message,
  (payload -> 'outcome' ->> 'type')::TEXT AS outcome_type,
  (payload -> 'outcome' ->> 'reason')::TEXT AS outcome_reason,
  (payload -> 'outcome' ->> 'network_status')::TEXT AS network_status,
  (payload -> 'payment_method_details' -> 'card' ->> 'brand')::TEXT AS card_brand,
  (payload -> 'payment_method_details' -> 'card' ->> 'country')::TEXT AS card_country,
  (payload -> 'payment_method_details' -> 'card' ->> 'funding')::TEXT AS card_funding,
  (payload -> 'payment_method_details' -> 'card' ->> 'last4')::TEXT AS card_last4,
  (payload ->> 'balance_transaction')::TEXT AS balance_transaction_id,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (charge_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
