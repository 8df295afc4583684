/* One row per HubSpot product in its latest clean version: the subscription plans (one per plan
   and billing interval, priced per seat per billing period) and the tap sensor hardware. */
MODEL (
  name staging.stg_hubspot__products,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key product_id
  ),
  grain product_id,
  audits (
    unique_values(columns := (product_id)),
    not_null(columns := (product_id, product_name, sku, unit_price, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    product_id = 'HubSpot product id; line items carry it as product_id',
    unit_price = 'List price in USD: per seat per billing period for plans, per unit for hardware',
    product_type = 'service (subscription plans) or inventory (hardware)',
    billing_frequency = 'monthly, quarterly or annually; null for one-off products',
    billing_period = 'ISO 8601 period of a recurring product: P1M, P3M, P12M'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.products
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS product_id,
  (payload -> 'properties' ->> 'name')::TEXT AS product_name,
  (payload -> 'properties' ->> 'description')::TEXT AS description,
  (payload -> 'properties' ->> 'hs_sku')::TEXT AS sku,
  (payload -> 'properties' ->> 'price')::NUMERIC(12, 2) AS unit_price,
  (payload -> 'properties' ->> 'hs_product_type')::TEXT AS product_type,
  (payload -> 'properties' ->> 'recurringbillingfrequency')::TEXT AS billing_frequency,
  (payload -> 'properties' ->> 'hs_recurring_billing_period')::TEXT AS billing_period,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (product_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
