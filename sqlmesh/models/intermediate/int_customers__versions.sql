/* One row per version of a customer's tracked state: a new version starts whenever the customer's
   tier (plan, billing interval, seats), status, MRR, health band or deletion changes in
   entity.entity_customers. SQLMesh maintains it as an SCD type 2 table: the run that sees a change
   closes the old version (valid_to = that run's time) and opens a new one from the same instant; a
   customer that disappears has its open version closed. Versions present at the first build start
   at 1970-01-01. Read it through entity.entity_customers_history. */
MODEL (
  name intermediate.int_customers__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key customer_key,
    columns [plan, billing_interval, seats, status, monthly_recurring_revenue, health_band, is_deleted],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (customer_key, valid_from),
  audits (
    unique_combination_of_columns(columns := (customer_key, valid_from)),
    not_null(columns := (customer_key, monthly_recurring_revenue, health_band, is_deleted, valid_from)),
    assert_non_negative(columns := (monthly_recurring_revenue))
  ),
  column_descriptions (
    customer_key = 'The customer (entity_customers.customer_key)',
    created_at = 'When the customer was created (not tracked: never changes)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  customer_key::TEXT AS customer_key,
  account_id::UUID AS account_id,
  /* tracked attributes */
  plan::TEXT AS plan,
  billing_interval::TEXT AS billing_interval,
  seats::INT AS seats,
  status::TEXT AS status,
  monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  health_band::TEXT AS health_band,
  is_deleted::BOOLEAN AS is_deleted,
  /* timestamps */
  created_at::TIMESTAMPTZ AS created_at
FROM entity.entity_customers
