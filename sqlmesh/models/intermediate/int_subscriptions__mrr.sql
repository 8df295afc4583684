/* One row per Stripe subscription item with its monthly recurring revenue (DESIGN.md §8), in
   currency units:
     gross_mrr    = @normalize_to_mrr(unit_amount × quantity, interval, interval_count)
     discount_mrr = what the subscription's active discounts take off, per month:
                    percent_off × gross_mrr, and amount_off normalised to a month the same way
                    (an amount_off coupon is per invoice, shared across the subscription's items
                    in proportion to their gross MRR); never more than gross_mrr
     mrr          = gross_mrr − discount_mrr, rounded to the cent per item
   A discount is active while it is attached to the subscription (listed in its discounts) and its
   coupon applies: once = only while the current period is the first invoice period since the
   discount started (started_at ≥ current_period_start); repeating = for duration_in_months from
   the discount's start; forever = always.
   Only items of active and past_due subscriptions count (is_mrr_counted); trials (status trialing,
   or a trial not yet over), one-time prices and metered prices count 0, with the reason in
   exclusion_reason. Every item is kept, counted or not. Tax is never in unit_amount. */
MODEL (
  name intermediate.int_subscriptions__mrr,
  kind FULL,
  grain subscription_item_id,
  audits (
    unique_values(columns := (subscription_item_id)),
    not_null(columns := (subscription_item_id, subscription_id, subscription_status, is_mrr_counted, gross_mrr, discount_mrr, mrr)),
    assert_non_negative(columns := (quantity, unit_amount, gross_mrr, discount_mrr, mrr))
  ),
  column_descriptions (
    subscription_item_id = 'Stripe subscription item id (si_...)',
    account_id = 'App account id from the subscription metadata, else from its customer',
    billing_interval = 'The price''s recurring interval: day, week, month or year',
    interval_count = 'Intervals per billing period (a quarter is month × 3)',
    is_mrr_counted = 'The item counts towards MRR: subscription active or past_due, licensed recurring price, no trial running',
    exclusion_reason = 'Why the item counts 0: subscription_status, trial, one_time_price, metered_price; NULL when counted',
    gross_mrr = 'unit_amount × quantity normalised to a month, before discounts (0 when not counted)',
    discount_mrr = 'Monthly value of the active discounts on this item (0 when not counted)',
    mrr = 'gross_mrr − discount_mrr, rounded to the cent; 0 when not counted'
  )
);

WITH items AS (
  SELECT
    i.subscription_item_id,
    i.subscription_id,
    COALESCE(s.customer_id, i.customer_id) AS customer_id,
    COALESCE(s.account_id, c.account_id) AS account_id,
    COALESCE(s.subscription_status, i.subscription_status) AS subscription_status,
    i.price_id,
    i.product_id,
    i.catalog_key,
    i.currency,
    i.quantity,
    i.unit_amount,
    p.recurring_interval AS billing_interval,
    COALESCE(p.recurring_interval_count, 1) AS interval_count,
    p.price_type,
    p.usage_type,
    s.trial_end,
    s.discount_ids,
    COALESCE(i.current_period_start, s.current_period_start) AS current_period_start,
    COALESCE(i.current_period_end, s.current_period_end) AS current_period_end,
    CASE
      WHEN COALESCE(s.subscription_status, i.subscription_status) = 'trialing'
        OR s.trial_end > @execution_ts::TIMESTAMP AT TIME ZONE 'UTC' THEN 'trial'
      WHEN COALESCE(s.subscription_status, i.subscription_status) NOT IN ('active', 'past_due') THEN 'subscription_status'
      WHEN p.price_type = 'one_time' OR p.recurring_interval IS NULL THEN 'one_time_price'
      WHEN p.usage_type = 'metered' THEN 'metered_price'
    END AS exclusion_reason
  FROM staging.stg_stripe__subscription_items AS i
  LEFT JOIN staging.stg_stripe__subscriptions AS s
    ON s.subscription_id = i.subscription_id
  LEFT JOIN staging.stg_stripe__prices AS p
    ON p.price_id = i.price_id
  LEFT JOIN staging.stg_stripe__customers AS c
    ON c.customer_id = COALESCE(s.customer_id, i.customer_id)
), gross AS (
  SELECT
    *,
    CASE WHEN exclusion_reason IS NULL
      THEN @normalize_to_mrr(unit_amount * quantity, billing_interval, interval_count)
      ELSE 0
    END AS gross_mrr
  FROM items
), subscription_gross AS (
  SELECT
    subscription_id,
    MIN(billing_interval) AS billing_interval,
    MIN(interval_count) AS interval_count,
    MIN(current_period_start) AS current_period_start,
    SUM(gross_mrr) AS gross_mrr
  FROM gross
  GROUP BY subscription_id
), active_discounts AS (
  /* The coupons of each subscription that apply now: attached, and within their duration. */
  SELECT
    d.subscription_id,
    SUM(COALESCE(k.percent_off, 0)) AS percent_off,
    SUM(COALESCE(k.amount_off, 0)) AS amount_off
  FROM staging.stg_stripe__discounts AS d
  JOIN staging.stg_stripe__coupons AS k
    ON k.coupon_id = d.coupon_id
  JOIN staging.stg_stripe__subscriptions AS s
    ON s.subscription_id = d.subscription_id
  JOIN subscription_gross AS g
    ON g.subscription_id = d.subscription_id
  WHERE
    EXISTS (
      SELECT 1 FROM JSONB_ARRAY_ELEMENTS_TEXT(s.discount_ids) AS attached(discount_id)
      WHERE attached.discount_id = d.discount_id
    )
    AND CASE k.duration
      WHEN 'forever' THEN TRUE
      WHEN 'repeating' THEN @execution_ts::TIMESTAMP AT TIME ZONE 'UTC'
        < COALESCE(d.ends_at, d.started_at + k.duration_in_months * INTERVAL '1 month')
      WHEN 'once' THEN d.started_at >= g.current_period_start
      ELSE FALSE
    END
  GROUP BY d.subscription_id
), discounted AS (
  SELECT
    g.*,
    CASE WHEN g.gross_mrr > 0 THEN LEAST(
      g.gross_mrr,
      g.gross_mrr * COALESCE(a.percent_off, 0) / 100
      + COALESCE(@normalize_to_mrr(a.amount_off, sg.billing_interval, sg.interval_count), 0)
        * g.gross_mrr / NULLIF(sg.gross_mrr, 0)
    ) ELSE 0 END AS discount_mrr
  FROM gross AS g
  JOIN subscription_gross AS sg
    ON sg.subscription_id = g.subscription_id
  LEFT JOIN active_discounts AS a
    ON a.subscription_id = g.subscription_id
)
SELECT
  /* ids */
  subscription_item_id::TEXT AS subscription_item_id,
  subscription_id::TEXT AS subscription_id,
  customer_id::TEXT AS customer_id,
  account_id::UUID AS account_id,
  price_id::TEXT AS price_id,
  product_id::TEXT AS product_id,
  /* attributes */
  catalog_key::TEXT AS catalog_key,
  subscription_status::TEXT AS subscription_status,
  currency::TEXT AS currency,
  billing_interval::TEXT AS billing_interval,
  interval_count::INT AS interval_count,
  (exclusion_reason IS NULL)::BOOLEAN AS is_mrr_counted,
  exclusion_reason::TEXT AS exclusion_reason,
  /* measures */
  quantity::INT AS quantity,
  unit_amount::NUMERIC(18, 2) AS unit_amount,
  ROUND(gross_mrr, 2)::NUMERIC(18, 2) AS gross_mrr,
  (ROUND(gross_mrr, 2) - ROUND(gross_mrr - discount_mrr, 2))::NUMERIC(18, 2) AS discount_mrr,
  ROUND(gross_mrr - discount_mrr, 2)::NUMERIC(18, 2) AS mrr,
  /* timestamps */
  current_period_start::TIMESTAMPTZ AS current_period_start,
  current_period_end::TIMESTAMPTZ AS current_period_end,
  trial_end::TIMESTAMPTZ AS trial_end
FROM discounted
