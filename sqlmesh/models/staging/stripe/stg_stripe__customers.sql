/* One row per Stripe customer (one per app account billed through Stripe) in its latest state.
   A deleted customer arrives as {"id", "object": "customer", "deleted": true}, with no `created`,
   so the extractor flags its cursor: such tombstones are kept (is_deleted), and the customer's
   attributes come from its last version before the deletion. */
MODEL (
  name staging.stg_stripe__customers,
  kind FULL,
  grain customer_id,
  audits (
    unique_values(columns := (customer_id)),
    not_null(columns := (customer_id, is_deleted))
  ),
  column_descriptions (
    customer_id = 'Stripe customer id (cus_...)',
    account_id = 'App account id from the customer metadata; the customer key across sources',
    currency = 'Currency the customer is billed in (lower-case ISO code)',
    balance = 'Customer balance in currency units; negative is credit owed to the customer',
    is_delinquent = 'The latest invoice payment failed',
    next_invoice_sequence = 'Suffix of the next invoice number',
    is_deleted = 'Deleted in Stripe (the app account was closed)',
    created_at = 'When the customer was created in Stripe (the billing migration for older accounts)'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.customers
  WHERE CARDINALITY(_flags) = 0 OR (_deleted AND _flags = ARRAY['bad_cursor:created'])
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
), alive AS (
  SELECT * FROM clean WHERE NOT _deleted
), last_alive AS (
  @deduplicate(alive, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  latest.id::TEXT AS customer_id,
  (v.payload -> 'metadata' ->> 'account_id')::UUID AS account_id,
  (v.payload ->> 'name')::TEXT AS customer_name,
  (v.payload ->> 'email')::TEXT AS email,
  (v.payload ->> 'currency')::TEXT AS currency,
  (v.payload -> 'address' ->> 'country')::TEXT AS country_code,
  (v.payload -> 'address' ->> 'city')::TEXT AS city,
  ((v.payload ->> 'balance')::NUMERIC / 100)::NUMERIC(18, 2) AS balance,
  (v.payload ->> 'delinquent')::BOOLEAN AS is_delinquent,
  (v.payload ->> 'invoice_prefix')::TEXT AS invoice_prefix,
  (v.payload ->> 'next_invoice_sequence')::INT AS next_invoice_sequence,
  (v.payload -> 'invoice_settings' ->> 'default_payment_method')::TEXT AS default_payment_method_id,
  (v.payload ->> 'tax_exempt')::TEXT AS tax_exempt,
  latest._deleted::BOOLEAN AS is_deleted,
  TO_TIMESTAMP((v.payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
LEFT JOIN last_alive AS v
  ON v.id = latest.id
