/* One row per Stripe price in its latest state: a product's recurring price in one currency and
   billing interval (monthly; quarterly as interval month x 3; yearly), per unit of quantity. */
MODEL (
  name staging.stg_stripe__prices,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key price_id
  ),
  grain price_id,
  audits (
    unique_values(columns := (price_id)),
    not_null(columns := (price_id, product_id, currency, unit_amount, recurring_interval, recurring_interval_count)),
    accepted_values(column := billing_interval, is_in := ('month', 'quarter', 'year'))
  ),
  column_descriptions (
    price_id = 'Stripe price id (price_...)',
    catalog_key = 'The plan or additional_location, from the metadata',
    billing_interval = 'month, quarter or year: the app''s billing interval, from the metadata',
    recurring_interval = 'Stripe''s interval (month or year); quarterly prices are month x 3',
    recurring_interval_count = 'Intervals per billing period',
    unit_amount = 'Price per unit per billing period, in currency units',
    lookup_key = '<catalog_key>_<billing_interval>_<currency>'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.prices
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS price_id,
  (payload ->> 'product')::TEXT AS product_id,
  (payload -> 'metadata' ->> 'catalog_key')::TEXT AS catalog_key,
  (payload -> 'metadata' ->> 'billing_interval')::TEXT AS billing_interval,
  (payload -> 'recurring' ->> 'interval')::TEXT AS recurring_interval,
  (payload -> 'recurring' ->> 'interval_count')::INT AS recurring_interval_count,
  (payload -> 'recurring' ->> 'usage_type')::TEXT AS usage_type,
  (payload ->> 'currency')::TEXT AS currency,
  ((payload ->> 'unit_amount')::NUMERIC / 100)::NUMERIC(18, 2) AS unit_amount,
  (payload ->> 'billing_scheme')::TEXT AS billing_scheme,
  (payload ->> 'tax_behavior')::TEXT AS tax_behavior,
  (payload ->> 'lookup_key')::TEXT AS lookup_key,
  (payload ->> 'nickname')::TEXT AS nickname,
  (payload ->> 'type')::TEXT AS price_type,
  (payload ->> 'active')::BOOLEAN AS is_active,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (price_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
