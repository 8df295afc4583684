/* One row per version of a Stripe subscription's tracked state: a new version starts whenever its
   status, plan, seats, billing interval, MRR or cancel-at-period-end flag changes in
   entity.entity_subscriptions. SQLMesh maintains it as an SCD type 2 table (see
   int_customers__versions for the semantics). Read it through entity.entity_subscriptions_history. */
MODEL (
  name intermediate.int_subscriptions__scd,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key subscription_id,
    columns [subscription_status, plan, seats, billing_interval, monthly_recurring_revenue, cancel_at_period_end],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (subscription_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (subscription_id, valid_from)),
    not_null(columns := (subscription_id, customer_key, subscription_status, monthly_recurring_revenue, valid_from)),
    assert_non_negative(columns := (monthly_recurring_revenue))
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    created_at = 'When the subscription was created (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  subscription_id::TEXT AS subscription_id,
  customer_key::TEXT AS customer_key,
  /* tracked attributes */
  subscription_status::TEXT AS subscription_status,
  plan::TEXT AS plan,
  seats::INT AS seats,
  billing_interval::TEXT AS billing_interval,
  monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  cancel_at_period_end::BOOLEAN AS cancel_at_period_end,
  /* timestamps */
  created_at::TIMESTAMPTZ AS created_at
FROM entity.entity_subscriptions
