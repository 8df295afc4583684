/* One row per Stripe coupon in its latest state: percent or amount off, once, for some months
   (repeating) or forever. */
MODEL (
  name staging.stg_stripe__coupons,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key coupon_id
  ),
  grain coupon_id,
  audits (
    unique_values(columns := (coupon_id)),
    not_null(columns := (coupon_id, duration, times_redeemed, created_at)),
    accepted_values(column := duration, is_in := ('once', 'repeating', 'forever'))
  ),
  column_descriptions (
    coupon_id = 'Stripe coupon id (chosen by the company, e.g. WELCOME20)',
    percent_off = 'Percent taken off each discounted invoice; null for amount-off coupons',
    amount_off = 'Amount taken off an invoice in currency units; null for percent-off coupons',
    currency = 'Currency of amount_off',
    duration = 'once (first invoice), repeating (duration_in_months) or forever',
    times_redeemed = 'Discounts created from the coupon so far'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.coupons
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS coupon_id,
  (payload ->> 'name')::TEXT AS coupon_name,
  (payload ->> 'percent_off')::NUMERIC(5, 2) AS percent_off,
  ((payload ->> 'amount_off')::NUMERIC / 100)::NUMERIC(18, 2) AS amount_off,
  (payload ->> 'currency')::TEXT AS currency,
  (payload ->> 'duration')::TEXT AS duration,
  (payload ->> 'duration_in_months')::INT AS duration_in_months,
  (payload ->> 'max_redemptions')::INT AS max_redemptions,
  (payload ->> 'times_redeemed')::INT AS times_redeemed,
  (payload ->> 'valid')::BOOLEAN AS is_valid,
  TO_TIMESTAMP((payload ->> 'redeem_by')::BIGINT)::TIMESTAMPTZ AS redeem_by,
  TO_TIMESTAMP((payload ->> 'created')::BIGINT)::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (coupon_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
