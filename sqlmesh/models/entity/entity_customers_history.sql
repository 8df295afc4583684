/* One row per version of a customer: tier (plan, billing interval, seats), status, MRR and health
   band over a validity window [valid_from, valid_to). Windows of a customer tile time without gap
   or overlap; the open one (valid_to NULL, is_current) is the customer's state now. Answers "what
   was this customer's tier, MRR and health on date D":
     WHERE valid_from <= D AND (valid_to > D OR valid_to IS NULL).
   Built on the SCD type 2 table intermediate.int_customers__versions. A customer that disappears
   gets a closing row (is_deleted, change_reason 'hard_deleted') from the moment it was seen gone,
   current unless it came back. The first version reaches back to the customer's created_at: its
   first known state stands in for what came before. change_reason names what changed. */
MODEL (
  name entity.entity_customers_history,
  kind VIEW,
  grain (customer_key, valid_from),
  audits (
    unique_combination_of_columns(columns := (customer_key, valid_from)),
    not_null(columns := (customer_key, version_number, monthly_recurring_revenue, health_band, is_deleted, valid_from, is_current, change_reason)),
    assert_non_negative(columns := (monthly_recurring_revenue)),
    assert_one_current_row(key := customer_key),
    assert_contiguous_history(key := customer_key)
  ),
  column_descriptions (
    customer_key = 'The customer (entity_customers.customer_key)',
    version_number = '1 for the first known version of the customer, counting up',
    plan = 'The customer''s tier in this version',
    monthly_recurring_revenue = 'MRR in this version, currency units',
    health_band = 'healthy, stable or at_risk in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per customer',
    change_reason = 'created, first_seen, deleted, hard_deleted, restored, or the comma-separated tracked columns that changed: plan, billing_interval, seats, status, monthly_recurring_revenue, health_band',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

WITH versions AS (
  SELECT
    *,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(plan) OVER w AS prev_plan,
    LAG(billing_interval) OVER w AS prev_billing_interval,
    LAG(seats) OVER w AS prev_seats,
    LAG(status) OVER w AS prev_status,
    LAG(monthly_recurring_revenue) OVER w AS prev_mrr,
    LAG(health_band) OVER w AS prev_health_band,
    LAG(is_deleted) OVER w AS prev_is_deleted,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_customers__versions
  WINDOW w AS (PARTITION BY customer_key ORDER BY valid_from)
), windows AS (
  SELECT
    customer_key,
    account_id,
    plan,
    billing_interval,
    seats,
    status,
    monthly_recurring_revenue,
    health_band,
    is_deleted,
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
      WHEN is_deleted AND NOT prev_is_deleted THEN 'deleted'
      WHEN prev_is_deleted AND NOT is_deleted THEN 'restored'
      ELSE NULLIF(
        ARRAY_TO_STRING(
          ARRAY[
            CASE WHEN plan IS DISTINCT FROM prev_plan THEN 'plan' END,
            CASE WHEN billing_interval IS DISTINCT FROM prev_billing_interval THEN 'billing_interval' END,
            CASE WHEN seats IS DISTINCT FROM prev_seats THEN 'seats' END,
            CASE WHEN status IS DISTINCT FROM prev_status THEN 'status' END,
            CASE WHEN monthly_recurring_revenue IS DISTINCT FROM prev_mrr THEN 'monthly_recurring_revenue' END,
            CASE WHEN health_band IS DISTINCT FROM prev_health_band THEN 'health_band' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  /* A version closed with no version starting where it ends: the customer was gone then. */
  SELECT
    customer_key,
    account_id,
    plan,
    billing_interval,
    seats,
    status,
    0 AS monthly_recurring_revenue,
    health_band,
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
  customer_key::TEXT AS customer_key,
  ROW_NUMBER() OVER (PARTITION BY customer_key ORDER BY valid_from)::INT AS version_number,
  account_id::UUID AS account_id,
  /* attributes */
  plan::TEXT AS plan,
  billing_interval::TEXT AS billing_interval,
  seats::INT AS seats,
  status::TEXT AS status,
  monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  health_band::TEXT AS health_band,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  COALESCE(change_reason, 'unchanged')::TEXT AS change_reason,
  /* timestamps */
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
