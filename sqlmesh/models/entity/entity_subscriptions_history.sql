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

WITH versions AS (
  SELECT
    *,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(subscription_status) OVER w AS prev_subscription_status,
    LAG(plan) OVER w AS prev_plan,
    LAG(seats) OVER w AS prev_seats,
    LAG(billing_interval) OVER w AS prev_billing_interval,
    LAG(monthly_recurring_revenue) OVER w AS prev_mrr,
    LAG(cancel_at_period_end) OVER w AS prev_cancel_at_period_end,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_subscriptions__scd
  WINDOW w AS (PARTITION BY subscription_id ORDER BY valid_from)
), windows AS (
  SELECT
    subscription_id,
    customer_key,
    subscription_status,
    plan,
    seats,
    billing_interval,
    monthly_recurring_revenue,
    cancel_at_period_end,
    FALSE AS is_deleted,
    CASE
      WHEN version_seq > 1 THEN valid_from
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ AND created_at IS NOT NULL
        AND (valid_to IS NULL OR created_at < valid_to) THEN created_at
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN valid_from
      ELSE LEAST(COALESCE(created_at, valid_from), valid_from)
    END AS valid_from,
    valid_to,
    CASE
      WHEN version_seq = 1 AND valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN 'first_seen'
      WHEN version_seq = 1 THEN 'created'
      WHEN prev_valid_to < valid_from THEN 'restored'
      ELSE NULLIF(
        ARRAY_TO_STRING(
          ARRAY[
            CASE WHEN subscription_status IS DISTINCT FROM prev_subscription_status THEN 'subscription_status' END,
            CASE WHEN plan IS DISTINCT FROM prev_plan THEN 'plan' END,
            CASE WHEN seats IS DISTINCT FROM prev_seats THEN 'seats' END,
            CASE WHEN billing_interval IS DISTINCT FROM prev_billing_interval THEN 'billing_interval' END,
            CASE WHEN monthly_recurring_revenue IS DISTINCT FROM prev_mrr THEN 'monthly_recurring_revenue' END,
            CASE WHEN cancel_at_period_end IS DISTINCT FROM prev_cancel_at_period_end THEN 'cancel_at_period_end' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the subscription was gone then. */
  SELECT
    subscription_id,
    customer_key,
    subscription_status,
    plan,
    seats,
    billing_interval,
    0 AS monthly_recurring_revenue,
    cancel_at_period_end,
    TRUE AS is_deleted,
    valid_to AS valid_from,
    next_valid_from AS valid_to,
    'hard_deleted' AS change_reason
  FROM versions
  WHERE
    valid_to IS NOT NULL AND (next_valid_from IS NULL OR next_valid_from > valid_to)
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
