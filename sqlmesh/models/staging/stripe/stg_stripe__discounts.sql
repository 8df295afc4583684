/* One row per Stripe discount: a coupon applied to a subscription from `started_at`. A discount
   comes off the subscription (subscriptions.discount_ids) after the first invoice it reduces
   (once), at `ends_at` (repeating), or never (forever). */
MODEL (
  name staging.stg_stripe__discounts,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key discount_id
  ),
  grain discount_id,
  audits (
    unique_values(columns := (discount_id)),
    not_null(columns := (discount_id, coupon_id, customer_id, started_at))
  ),
  column_descriptions (
    discount_id = 'Stripe discount id (di_...)',
    coupon_id = 'The coupon applied',
    subscription_id = 'The subscription it discounts',
    started_at = 'When the discount was applied',
    ends_at = 'When a repeating discount stops applying; null for once and forever'
  )
);

WITH clean AS (
  SELECT * FROM raw_stripe.discounts
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS discount_id,
  (payload -> 'source' ->> 'coupon')::TEXT AS coupon_id,
  (payload ->> 'customer')::TEXT AS customer_id,
  (payload ->> 'subscription')::TEXT AS subscription_id,
  (payload ->> 'subscription_item')::TEXT AS subscription_item_id,
  (payload ->> 'invoice')::TEXT AS invoice_id,
  (payload ->> 'promotion_code')::TEXT AS promotion_code_id,
  TO_TIMESTAMP((payload ->> 'start')::BIGINT)::TIMESTAMPTZ AS started_at,
  TO_TIMESTAMP((payload ->> 'end')::BIGINT)::TIMESTAMPTZ AS ends_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (discount_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
