/* One row per Stripe invoice in its latest state: a subscription's first invoice, a renewal
   (subscription_cycle) or the prorations of a change billed at once (subscription_update).
   Amounts in currency units; a negative total became customer credit (ending_balance). The
   invoice-level period_start/end is Stripe's bookkeeping period, not the service period: use
   the lines' periods (stg_stripe__invoice_line_items). */
MODEL (
  name staging.stg_stripe__invoices,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key invoice_id
  ),
  grain invoice_id,
  audits (
    unique_values(columns := (invoice_id)),
    not_null(columns := (invoice_id, customer_id, invoice_status, currency, subtotal, total, amount_due, created_at)),
    accepted_values(column := invoice_status, is_in := ('draft', 'open', 'paid', 'uncollectible', 'void'))
  ),
  column_descriptions (
    invoice_id = 'Stripe invoice id (in_...)',
    subscription_id = 'The subscription billed (parent.subscription_details)',
    account_id = 'App account id from the subscription metadata copied onto the invoice',
    invoice_number = '<customer invoice prefix>-<sequence>, set when the invoice is finalized',
    billing_reason = 'subscription_create, subscription_cycle or subscription_update',
    subtotal = 'Sum of the lines before discounts',
    total_discount_amount = 'Discounts taken off',
    total = 'subtotal less discounts (no tax is collected)',
    amount_due = 'What the card is charged: total less customer credit used',
    attempt_count = 'Payment attempts so far (dunning retries included)',
    next_payment_attempt_at = 'When Stripe retries a failed payment next; null once paid or given up'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.invoices
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS invoice_id,
  (payload ->> 'customer')::TEXT AS customer_id,
  (payload -> 'parent' -> 'subscription_details' ->> 'subscription')::TEXT AS subscription_id,
  (payload -> 'parent' -> 'subscription_details' -> 'metadata' ->> 'account_id')::UUID AS account_id,
  (payload ->> 'number')::TEXT AS invoice_number,
  (payload ->> 'status')::TEXT AS invoice_status,
  (payload ->> 'billing_reason')::TEXT AS billing_reason,
  (payload ->> 'collection_method')::TEXT AS collection_method,
  (payload ->> 'currency')::TEXT AS currency,
  ((payload ->> 'subtotal')::NUMERIC / 100)::NUMERIC(18, 2) AS subtotal,
  (COALESCE((SELECT SUM((d ->> 'amount')::NUMERIC) FROM JSONB_ARRAY_ELEMENTS(payload -> 'total_discount_amounts') AS d), 0)
    / 100)::NUMERIC(18, 2) AS total_discount_amount,
  ((payload ->> 'total')::NUMERIC / 100)::NUMERIC(18, 2) AS total,
  ((payload ->> 'amount_due')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_due,
  ((payload ->> 'amount_paid')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_paid,
  ((payload ->> 'amount_remaining')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_remaining,
  ((payload ->> 'starting_balance')::NUMERIC / 100)::NUMERIC(18, 2) AS starting_balance,
  ((payload ->> 'ending_balance')::NUMERIC / 100)::NUMERIC(18, 2) AS ending_balance,
  (payload ->> 'attempt_count')::INT AS attempt_count,
  (payload ->> 'attempted')::BOOLEAN AS is_attempted,
  TO_TIMESTAMP((payload ->> 'next_payment_attempt')::BIGINT)::TIMESTAMPTZ AS next_payment_attempt_at,
  (payload -> 'discounts')::JSONB AS discount_ids,
  JSONB_ARRAY_LENGTH(payload -> 'lines' -> 'data')::INT AS line_count,
  (payload ->> 'hosted_invoice_url')::TEXT AS hosted_invoice_url,
  TO_TIMESTAMP((payload ->> 'period_start')::BIGINT)::TIMESTAMPTZ AS period_start,
  TO_TIMESTAMP((payload ->> 'period_end')::BIGINT)::TIMESTAMPTZ AS period_end,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'finalized_at')::BIGINT)::TIMESTAMPTZ AS finalized_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'paid_at')::BIGINT)::TIMESTAMPTZ AS paid_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'marked_uncollectible_at')::BIGINT)::TIMESTAMPTZ AS marked_uncollectible_at,
  TO_TIMESTAMP((payload -> 'status_transitions' ->> 'voided_at')::BIGINT)::TIMESTAMPTZ AS voided_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (invoice_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
