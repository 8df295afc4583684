/* One row per version of a Stripe subscription: status, plan, seats, billing interval and MRR over
   a validity window [valid_from, valid_to). Windows of a subscription tile time without gap or
   overlap; the open one (valid_to NULL, is_current) is its state now. Answers "what was this
   subscription's status and MRR on date D":
     WHERE valid_from <= D AND (valid_to > D OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_subscriptions__scd, the same way as
   entity_customers_history: the first version reaches back to created_at; a subscription gone
   from Stripe gets a closing 'hard_deleted' row (is_deleted). */
MODEL (
  name entity.entity_subscriptions_history,
  kind VIEW,
  grain (subscription_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (subscription_id, valid_from)),
    not_null(columns := (subscription_id, version_number, customer_key, subscription_status, monthly_recurring_revenue, is_deleted, valid_from, is_current, change_reason)),
    assert_non_negative(columns := (monthly_recurring_revenue)),
    assert_one_current_row(key := subscription_id),
    assert_contiguous_history(key := subscription_id)
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    version_number = '1 for the first known version, counting up',
    monthly_recurring_revenue = 'MRR in this version, currency units',
    is_deleted = 'Gone from Stripe in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per subscription',
    change_reason = 'created, first_seen, hard_deleted, restored, or the comma-separated tracked columns that changed: subscription_status, plan, seats, billing_interval, monthly_recurring_revenue, cancel_at_period_end',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_subscriptions__scd,
    subscription_id,
    columns := [customer_key, subscription_status, plan, seats, billing_interval, monthly_recurring_revenue, cancel_at_period_end],
    tracked := [subscription_status, plan, seats, billing_interval, monthly_recurring_revenue, cancel_at_period_end],
    born_at := created_at,
    gone := [monthly_recurring_revenue = 0]
  )
)
SELECT
  /* ids */
  subscription_id::TEXT AS subscription_id,
  ROW_NUMBER() OVER (PARTITION BY subscription_id ORDER BY valid_from)::INT AS version_number,
  customer_key::TEXT AS customer_key,
  /* attributes */
  subscription_status::TEXT AS subscription_status,
  plan::TEXT AS plan,
  seats::INT AS seats,
  billing_interval::TEXT AS billing_interval,
  monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  cancel_at_period_end::BOOLEAN AS cancel_at_period_end,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  COALESCE(change_reason, 'unchanged')::TEXT AS change_reason,
  /* timestamps */
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
