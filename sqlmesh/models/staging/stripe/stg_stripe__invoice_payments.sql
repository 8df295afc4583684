/* One row per Stripe invoice payment in its latest state: the link from an invoice to the
   payment intent its charges were made on (retries reuse it). Join charges on payment_intent_id.
   $0 invoices have none. */
MODEL (
  name staging.stg_stripe__invoice_payments,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key invoice_payment_id
  ),
  grain invoice_payment_id,
  audits (
    unique_values(columns := (invoice_payment_id)),
    not_null(columns := (invoice_payment_id, invoice_id, payment_status, amount_requested, created_at)),
    accepted_values(column := payment_status, is_in := ('open', 'paid', 'canceled'))
  ),
  column_descriptions (
    invoice_payment_id = 'Stripe invoice payment id (inpay_...)',
    payment_intent_id = 'The payment intent (pi_...) the invoice''s charges belong to',
    payment_status = 'open until a charge succeeds, then paid',
    amount_requested = 'Amount due, in currency units',
    amount_paid = 'Amount collected, in currency units; null until paid'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.invoice_payments
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS invoice_payment_id,
  (payload ->> 'invoice')::TEXT AS invoice_id,
  (payload -> 'payment' ->> 'payment_intent')::TEXT AS payment_intent_id,
  (payload -> 'payment' ->> 'type')::TEXT AS payment_type,
  (payload ->> 'status')::TEXT AS payment_status,
  (payload ->> 'is_default')::BOOLEAN AS is_default,
  (payload ->> 'currency')::TEXT AS currency,
  ((payload ->> 'amount_requested')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_requested,
  ((payload ->> 'amount_paid')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_paid,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'paid_at')::BIGINT)::TIMESTAMPTZ AS paid_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'canceled_at')::BIGINT)::TIMESTAMPTZ AS canceled_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (invoice_payment_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
