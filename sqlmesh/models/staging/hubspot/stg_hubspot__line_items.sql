/* One row per HubSpot line item (an order line of a deal) in its latest clean version: the
   subscription (seats x per-seat price, less the billing-interval discount) and, on new business,
   the tap sensors. order_status follows the deal: pending while it is open, fulfilled when won,
   cancelled when lost, refunded when the customer cancels soon after buying. */
MODEL (
  name staging.stg_hubspot__line_items,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key line_item_id
  ),
  grain line_item_id,
  audits (
    unique_values(columns := (line_item_id)),
    not_null(columns := (line_item_id, product_id, quantity, unit_price, amount, order_status, is_deleted,
                         created_at, updated_at)),
    accepted_values(column := order_status, is_in := ('pending', 'fulfilled', 'cancelled', 'refunded'))
  ),
  column_descriptions (
    line_item_id = 'HubSpot line item id',
    deal_id = 'The deal the line belongs to (stg_hubspot__deals)',
    product_id = 'The product sold (stg_hubspot__products)',
    quantity = 'Seats for a subscription, units for hardware',
    unit_price = 'List price per unit (per seat per billing period for subscriptions), in currency',
    discount_percent = 'Discount off the list price, percent (billing-interval or volume discount)',
    amount = 'quantity x unit_price less the discount: per billing period for subscriptions',
    tax_amount = 'Sales tax / VAT on amount, at the customer''s country rate',
    mrr = 'Monthly recurring revenue of a subscription line; null for one-off lines',
    acv = 'Annual contract value of a subscription line; null for one-off lines',
    order_status = 'pending, fulfilled, cancelled or refunded'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.line_items
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS line_item_id,
  (payload -> 'associations' -> 'deals' -> 0 ->> 'toObjectId')::TEXT AS deal_id,
  (payload -> 'properties' ->> 'hs_product_id')::TEXT AS product_id,
  (payload -> 'properties' ->> 'name')::TEXT AS line_item_name,
  (payload -> 'properties' ->> 'hs_sku')::TEXT AS sku,
  (payload -> 'properties' ->> 'quantity')::INT AS quantity,
  (payload -> 'properties' ->> 'price')::NUMERIC(12, 2) AS unit_price,
  (payload -> 'properties' ->> 'hs_discount_percentage')::NUMERIC(5, 2) AS discount_percent,
  (payload -> 'properties' ->> 'amount')::NUMERIC(14, 2) AS amount,
  (payload -> 'properties' ->> 'tax')::NUMERIC(14, 2) AS tax_amount,
  (payload -> 'properties' ->> 'hs_mrr')::NUMERIC(14, 2) AS mrr,
  (payload -> 'properties' ->> 'hs_acv')::NUMERIC(14, 2) AS acv,
  (payload -> 'properties' ->> 'hs_line_item_currency_code')::TEXT AS currency,
  (payload -> 'properties' ->> 'recurringbillingfrequency')::TEXT AS billing_frequency,
  (payload -> 'properties' ->> 'hs_recurring_billing_period')::TEXT AS billing_period,
  (payload -> 'properties' ->> 'order_status')::TEXT AS order_status,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (line_item_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
