/* One row per line of a Stripe invoice's latest version: a subscription item billed for a
   period, a $0 trial line, or a proration (unused time credited, negative; remaining time
   charged). Read from raw_stripe.invoices, where the lines come embedded (at most 10, so
   `has_more` is false). */
MODEL (
  name staging.stg_stripe__invoice_line_items,
  kind FULL,
  grain line_item_id,
  audits (
    unique_values(columns := (line_item_id)),
    not_null(columns := (line_item_id, invoice_id, amount, currency, period_start, period_end, is_proration))
  ),
  column_descriptions (
    line_item_id = 'Stripe invoice line item id (il_...)',
    amount = 'Line amount before discounts, in currency units; negative for credited unused time',
    discount_amount = 'Discounts taken off this line',
    unit_amount = 'Price per unit per billing period',
    is_proration = 'A mid-period change: unused time credited or remaining time charged',
    period_start = 'Start of the service period the line bills',
    period_end = 'End of the service period the line bills'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.invoices WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (line ->> 'id')::TEXT AS line_item_id,
  latest.id::TEXT AS invoice_id,
  (latest.payload ->> 'customer')::TEXT AS customer_id,
  (line -> 'parent' -> 'subscription_item_details' ->> 'subscription')::TEXT AS subscription_id,
  (line -> 'parent' -> 'subscription_item_details' ->> 'subscription_item')::TEXT AS subscription_item_id,
  (line -> 'pricing' -> 'price_details' ->> 'price')::TEXT AS price_id,
  (line -> 'pricing' -> 'price_details' ->> 'product')::TEXT AS product_id,
  (line ->> 'description')::TEXT AS description,
  (line ->> 'quantity')::INT AS quantity,
  ((line -> 'pricing' ->> 'unit_amount_decimal')::NUMERIC / 100)::NUMERIC(18, 2) AS unit_amount,
  ((line ->> 'amount')::NUMERIC / 100)::NUMERIC(18, 2) AS amount,
  (COALESCE((SELECT SUM((d ->> 'amount')::NUMERIC) FROM JSONB_ARRAY_ELEMENTS(line -> 'discount_amounts') AS d), 0)
    / 100)::NUMERIC(18, 2) AS discount_amount,
  (line ->> 'currency')::TEXT AS currency,
  (line -> 'parent' -> 'subscription_item_details' ->> 'proration')::BOOLEAN AS is_proration,
  TO_TIMESTAMP((line -> 'period' ->> 'start')::BIGINT)::TIMESTAMPTZ AS period_start,
  TO_TIMESTAMP((line -> 'period' ->> 'end')::BIGINT)::TIMESTAMPTZ AS period_end,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
CROSS JOIN LATERAL JSONB_ARRAY_ELEMENTS(latest.payload -> 'lines' -> 'data') AS lines(line)
