/* One row per Stripe product in its latest state: the four plans (billed per seat) and the
   additional-location add-on. */
MODEL (
  name staging.stg_stripe__products,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key product_id
  ),
  grain product_id,
  audits (
    unique_values(columns := (product_id)),
    not_null(columns := (product_id, product_name, is_active, created_at))
  ),
  column_descriptions (
    product_id = 'Stripe product id (prod_...)',
    catalog_key = 'The plan (starter, growth, pro, enterprise) or additional_location, from the metadata',
    unit_label = 'What a unit of quantity is: seat or location',
    default_price_id = 'The monthly USD price'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.products
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
  (payload ->> 'name')::TEXT AS product_name,
  (payload -> 'metadata' ->> 'catalog_key')::TEXT AS catalog_key,
  (payload ->> 'type')::TEXT AS product_type,
  (payload ->> 'unit_label')::TEXT AS unit_label,
  (payload ->> 'tax_code')::TEXT AS tax_code,
  (payload ->> 'default_price')::TEXT AS default_price_id,
  (payload ->> 'active')::BOOLEAN AS is_active,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload ->> 'updated')::BIGINT)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (product_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
