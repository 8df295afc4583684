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

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_customers__versions,
    customer_key,
    columns := [account_id, plan, billing_interval, seats, status, monthly_recurring_revenue, health_band, is_deleted],
    tracked := [plan, billing_interval, seats, status, monthly_recurring_revenue, health_band],
    born_at := created_at,
    deleted := is_deleted,
    gone := [monthly_recurring_revenue = 0]
  )
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
