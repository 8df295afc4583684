/* One row per item of a Stripe subscription's latest version: the plan price x seats, and the
   additional-location price x locations beyond the first. Read from raw_stripe.subscriptions
   (the items come embedded in their subscription); items a subscription dropped are gone. */
MODEL (
  name staging.stg_stripe__subscription_items,
  kind FULL,
  grain subscription_item_id,
  audits (
    unique_values(columns := (subscription_item_id)),
    not_null(columns := (subscription_item_id, subscription_id, price_id, quantity, unit_amount, currency))
  ),
  column_descriptions (
    subscription_item_id = 'Stripe subscription item id (si_...)',
    catalog_key = 'The plan or additional_location',
    billing_interval = 'month, quarter or year',
    quantity = 'Seats for a plan item, extra locations for the add-on',
    unit_amount = 'Price per unit per billing period, in currency units',
    current_period_start = 'Start of the item''s current billing period',
    current_period_end = 'End of the item''s current billing period'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.subscriptions WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (item ->> 'id')::TEXT AS subscription_item_id,
  latest.id::TEXT AS subscription_id,
  (latest.payload ->> 'customer')::TEXT AS customer_id,
  (latest.payload ->> 'status')::TEXT AS subscription_status,
  (item -> 'price' ->> 'id')::TEXT AS price_id,
  (item -> 'price' ->> 'product')::TEXT AS product_id,
  (item -> 'price' -> 'metadata' ->> 'catalog_key')::TEXT AS catalog_key,
  (item -> 'price' -> 'metadata' ->> 'billing_interval')::TEXT AS billing_interval,
  (item ->> 'quantity')::INT AS quantity,
  ((item -> 'price' ->> 'unit_amount')::NUMERIC / 100)::NUMERIC(18, 2) AS unit_amount,
  (item -> 'price' ->> 'currency')::TEXT AS currency,
  TO_TIMESTAMP((item ->> 'current_period_start')::BIGINT)::TIMESTAMPTZ AS current_period_start,
  TO_TIMESTAMP((item ->> 'current_period_end')::BIGINT)::TIMESTAMPTZ AS current_period_end,
  TO_TIMESTAMP((item ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
CROSS JOIN LATERAL JSONB_ARRAY_ELEMENTS(latest.payload -> 'items' -> 'data') AS items(item)
