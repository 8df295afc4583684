/* One row per Stripe refund: part of a charge given back, here the unused share of the period
   for some customers who cancel. Amounts in currency units. */
MODEL (
  name staging.stg_stripe__refunds,
  kind FULL,
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
  SELECT * FROM raw_stripe.refunds WHERE CARDINALITY(_flags) = 0
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
FROM latest
