/* One row per Stripe subscription as Stripe holds it now, with its monthly recurring revenue:
   the sum of its items' MRR from intermediate.int_subscriptions__mrr (DESIGN.md §8: active and
   past_due only, less active discounts, no trials, one-time or metered prices), in currency
   units. Summed over all subscriptions it equals entity_customers.monthly_recurring_revenue
   summed over all customers. */
MODEL (
  name entity.entity_subscriptions,
  kind FULL,
  grain subscription_id,
  audits (
    unique_values(columns := (subscription_id)),
    not_null(columns := (subscription_id, customer_key, subscription_status, item_count, is_mrr_counted, gross_mrr, discount_mrr, monthly_recurring_revenue, annual_recurring_revenue)),
    assert_non_negative(columns := (item_count, seats, gross_mrr, discount_mrr, monthly_recurring_revenue, annual_recurring_revenue))
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    customer_key = 'The customer in entity_customers: app account id, else Stripe customer id',
    plan = 'catalog_key of the subscription''s plan item (not the additional_location add-on)',
    seats = 'Quantity of the plan item',
    is_mrr_counted = 'At least one item counts towards MRR',
    gross_mrr = 'MRR before discounts',
    discount_mrr = 'Monthly value of the active discounts',
    monthly_recurring_revenue = 'gross_mrr − discount_mrr, in currency units',
    annual_recurring_revenue = 'monthly_recurring_revenue × 12'
  )
);

WITH items AS (
  SELECT
    subscription_id,
    COUNT(*) AS item_count,
    MIN(catalog_key) FILTER (WHERE catalog_key IS DISTINCT FROM 'additional_location') AS plan,
    SUM(quantity) FILTER (WHERE catalog_key IS DISTINCT FROM 'additional_location') AS seats,
    SUM(quantity) FILTER (WHERE catalog_key = 'additional_location') AS extra_locations,
    MIN(billing_interval) AS billing_interval,
    MIN(interval_count) AS interval_count,
    BOOL_OR(is_mrr_counted) AS is_mrr_counted,
    SUM(gross_mrr) AS gross_mrr,
    SUM(discount_mrr) AS discount_mrr,
    SUM(mrr) AS mrr
  FROM intermediate.int_subscriptions__mrr
  GROUP BY subscription_id
)
SELECT
  /* ids */
  s.subscription_id::TEXT AS subscription_id,
  COALESCE(s.account_id::TEXT, c.account_id::TEXT, s.customer_id)::TEXT AS customer_key,
  COALESCE(s.account_id, c.account_id)::UUID AS account_id,
  s.customer_id::TEXT AS customer_id,
  /* attributes */
  s.subscription_status::TEXT AS subscription_status,
  i.plan::TEXT AS plan,
  s.currency::TEXT AS currency,
  i.billing_interval::TEXT AS billing_interval,
  i.interval_count::INT AS interval_count,
  s.collection_method::TEXT AS collection_method,
  COALESCE(s.cancel_at_period_end, FALSE)::BOOLEAN AS cancel_at_period_end,
  s.cancellation_reason::TEXT AS cancellation_reason,
  COALESCE(i.is_mrr_counted, FALSE)::BOOLEAN AS is_mrr_counted,
  /* measures */
  COALESCE(i.item_count, 0)::INT AS item_count,
  i.seats::INT AS seats,
  COALESCE(i.extra_locations, 0)::INT AS extra_locations,
  COALESCE(i.gross_mrr, 0)::NUMERIC(18, 2) AS gross_mrr,
  COALESCE(i.discount_mrr, 0)::NUMERIC(18, 2) AS discount_mrr,
  COALESCE(i.mrr, 0)::NUMERIC(18, 2) AS monthly_recurring_revenue,
  (COALESCE(i.mrr, 0) * 12)::NUMERIC(18, 2) AS annual_recurring_revenue,
  /* timestamps */
  s.start_date::TIMESTAMPTZ AS start_date,
  s.trial_start::TIMESTAMPTZ AS trial_start,
  s.trial_end::TIMESTAMPTZ AS trial_end,
  s.current_period_start::TIMESTAMPTZ AS current_period_start,
  s.current_period_end::TIMESTAMPTZ AS current_period_end,
  s.cancel_at::TIMESTAMPTZ AS cancel_at,
  s.canceled_at::TIMESTAMPTZ AS canceled_at,
  s.ended_at::TIMESTAMPTZ AS ended_at,
  s.created_at::TIMESTAMPTZ AS created_at
FROM staging.stg_stripe__subscriptions AS s
LEFT JOIN items AS i
  ON i.subscription_id = s.subscription_id
LEFT JOIN staging.stg_stripe__customers AS c
  ON c.customer_id = s.customer_id
