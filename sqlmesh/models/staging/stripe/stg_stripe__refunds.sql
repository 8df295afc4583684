/* One row per Stripe refund: part of a charge given back, here the unused share of the period
   for some customers who cancel. Amounts in currency units. */
MODEL (
  name staging.stg_stripe__refunds,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key refund_id
  ),
  grain refund_id,
  audits (
    unique_values(columns := (refund_id)),
    not_null(columns := (refund_id, charge_id, amount, currency, refund_status, created_at))
  ),
  column_descriptions (
    refund_id = 'Stripe refund id (re_...)',
    charge_id = 'The charge refunded',
    amount = 'Refunded amount in currency units',
    reason = 'requested_by_customer, duplicate or fraudulent'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.refunds
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS refund_id,
  (payload ->> 'charge')::TEXT AS charge_id,
  (payload ->> 'payment_intent')::TEXT AS payment_intent_id,
  (payload ->> 'customer')::TEXT AS customer_id,
  ((payload ->> 'amount')::NUMERIC / 100)::NUMERIC(18, 2) AS amount,
  (payload ->> 'currency')::TEXT AS currency,
  (payload ->> 'reason')::TEXT AS reason,
  (payload ->> 'status')::TEXT AS refund_status,
  (payload ->> 'balance_transaction')::TEXT AS balance_transaction_id,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (refund_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
