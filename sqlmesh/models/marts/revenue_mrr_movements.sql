/* One row per customer per calendar month (UTC) in which the customer started or ended with MRR:
   its MRR at the end of the previous month (starting_mrr) and at the end of this month
   (ending_mrr), and the month's MRR movement. Month-end MRR of every completed month is rebuilt
   from the billing record: the sum of the customer's subscriptions' MRR at that month end in
   intermediate.int_subscriptions__monthly_mrr (DESIGN.md §8 as of the month end: invoice lines,
   trials, cancellations, coupons), so a warehouse built after the fact still sees past churn,
   expansion and cancelled customers. The current month (the month of the build) ends at MRR now,
   entity.entity_customers.monthly_recurring_revenue, so ending_mrr of the current month sums to
   SUM(entity.entity_customers.monthly_recurring_revenue) to the cent. A customer with no counted
   subscription at a month end has 0 MRR then. Months run from the first month that ends with
   MRR in the billing record to the month of the build; a customer's months start at its first
   month with MRR; months that start and end without MRR are left out.
     plan           the customer's tier at the month end: for completed months the catalog key of
                    the billed plan (its highest-MRR subscription's highest-MRR item), for the
                    current month entity_customers.plan; a month ending without MRR keeps the
                    previous month's
     movement_type  @mrr_movement_type (macros/revenue_rules.py, DESIGN.md §8 order): new (first
                    month ever ending with MRR), reactivation (ending with MRR after a month that
                    ended without, having had MRR before), churn (MRR went to zero), expansion (up),
                    contraction (down, still above zero: cancelling one of several subscriptions
                    is contraction), unchanged
     movement_mrr   ending_mrr − starting_mrr (signed)
     new_mrr, reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr
                    the movement's amount in the column of its type, as a positive number (0 in
                    the others), so that they sum by month
   MRR is in the customer's currency units, as in entity_customers (no conversion). */
MODEL (
  name marts.revenue_mrr_movements,
  kind FULL,
  owner finance,
  grain (customer_key, month_start),
  audits (
    unique_combination_of_columns(columns := (customer_key, month_start)),
    not_null(columns := (
      customer_key, month_start, movement_type, starting_mrr, ending_mrr, movement_mrr, new_mrr,
      reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr, is_active_at_start,
      is_active_at_end, is_current_month
    )),
    accepted_values(
      column := movement_type,
      is_in := ('new', 'reactivation', 'churn', 'expansion', 'contraction', 'unchanged')
    ),
    assert_non_negative(columns := (
      starting_mrr, ending_mrr, new_mrr, reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr
    ))
  ),
  column_descriptions (
    customer_key = 'The customer (entity_customers.customer_key)',
    month_start = 'First day of the calendar month (UTC)',
    plan = 'The customer''s tier at the month end: billed plan for completed months, entity_customers.plan for the current month',
    movement_type = 'new, reactivation, churn, expansion, contraction or unchanged (@mrr_movement_type, DESIGN.md §8)',
    starting_mrr = 'MRR at the end of the previous month (0 if none), currency units',
    ending_mrr = 'MRR at the end of this month; for the current month, MRR now',
    movement_mrr = 'ending_mrr − starting_mrr (signed)',
    new_mrr = 'ending_mrr when movement_type is new, else 0',
    reactivation_mrr = 'ending_mrr when movement_type is reactivation, else 0',
    expansion_mrr = 'ending_mrr − starting_mrr when movement_type is expansion, else 0',
    contraction_mrr = 'starting_mrr − ending_mrr when movement_type is contraction, else 0 (positive)',
    churned_mrr = 'starting_mrr when movement_type is churn, else 0 (positive)',
    is_active_at_start = 'starting_mrr > 0: the customer counts in the month''s starting cohort (NRR, GRR, logo churn)',
    is_active_at_end = 'ending_mrr > 0',
    had_mrr_before = 'Some earlier month ended with MRR > 0',
    is_current_month = 'The month of the build: ending_mrr is MRR now, not at a month end'
  )
);

WITH bounds AS (
  SELECT DATE_TRUNC('month', @execution_ts::TIMESTAMP)::DATE AS current_month
), subscription_months AS (
  /* Completed months from the billing record; the highest-MRR subscription names the plan. */
  SELECT
    m.customer_key,
    m.month_start,
    m.mrr,
    m.plan,
    ROW_NUMBER() OVER (
      PARTITION BY m.customer_key, m.month_start ORDER BY m.mrr DESC, m.gross_mrr DESC, m.subscription_id
    ) AS subscription_rank
  FROM intermediate.int_subscriptions__monthly_mrr AS m
  CROSS JOIN bounds AS b
  WHERE m.month_start < b.current_month
), month_end_mrr AS (
  SELECT
    customer_key,
    month_start,
    SUM(mrr) AS mrr,
    MIN(plan) FILTER (WHERE subscription_rank = 1) AS plan
  FROM subscription_months
  GROUP BY customer_key, month_start
  UNION ALL
  /* The current month: MRR now. */
  SELECT
    c.customer_key,
    b.current_month AS month_start,
    c.monthly_recurring_revenue AS mrr,
    c.plan
  FROM entity.entity_customers AS c
  CROSS JOIN bounds AS b
  WHERE c.monthly_recurring_revenue > 0
), customer_months AS (
  /* Every month of a customer from its first month ending with MRR to the current month, so the
     previous row is the previous month. */
  SELECT
    f.customer_key,
    m.month_start::DATE AS month_start
  FROM (
    SELECT customer_key, MIN(month_start) AS first_month FROM month_end_mrr WHERE mrr > 0 GROUP BY customer_key
  ) AS f
  CROSS JOIN bounds AS b
  CROSS JOIN LATERAL GENERATE_SERIES(f.first_month, b.current_month, INTERVAL '1 month') AS m(month_start)
), sequenced AS (
  SELECT
    k.customer_key,
    k.month_start,
    COALESCE(e.plan, LAG(e.plan) OVER w) AS plan,
    COALESCE(e.mrr, 0) AS ending_mrr,
    COALESCE(LAG(e.mrr) OVER w, 0) AS starting_mrr,
    COALESCE(BOOL_OR(e.mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), FALSE) AS had_mrr_before
  FROM customer_months AS k
  LEFT JOIN month_end_mrr AS e
    ON e.customer_key = k.customer_key AND e.month_start = k.month_start
  WINDOW w AS (PARTITION BY k.customer_key ORDER BY k.month_start)
), classified AS (
  SELECT
    *,
    @mrr_movement_type(starting_mrr, ending_mrr, had_mrr_before) AS movement_type
  FROM sequenced
  WHERE starting_mrr > 0 OR ending_mrr > 0
)
SELECT
  /* ids */
  c.customer_key::TEXT AS customer_key,
  c.month_start::DATE AS month_start,
  /* attributes */
  c.plan::TEXT AS plan,
  c.movement_type::TEXT AS movement_type,
  (c.starting_mrr > 0)::BOOLEAN AS is_active_at_start,
  (c.ending_mrr > 0)::BOOLEAN AS is_active_at_end,
  c.had_mrr_before::BOOLEAN AS had_mrr_before,
  (c.month_start = b.current_month)::BOOLEAN AS is_current_month,
  /* measures */
  c.starting_mrr::NUMERIC(18, 2) AS starting_mrr,
  c.ending_mrr::NUMERIC(18, 2) AS ending_mrr,
  (c.ending_mrr - c.starting_mrr)::NUMERIC(18, 2) AS movement_mrr,
  (CASE WHEN c.movement_type = 'new' THEN c.ending_mrr ELSE 0 END)::NUMERIC(18, 2) AS new_mrr,
  (CASE WHEN c.movement_type = 'reactivation' THEN c.ending_mrr ELSE 0 END)::NUMERIC(18, 2) AS reactivation_mrr,
  (CASE WHEN c.movement_type = 'expansion' THEN c.ending_mrr - c.starting_mrr ELSE 0 END)::NUMERIC(18, 2)
    AS expansion_mrr,
  (CASE WHEN c.movement_type = 'contraction' THEN c.starting_mrr - c.ending_mrr ELSE 0 END)::NUMERIC(18, 2)
    AS contraction_mrr,
  (CASE WHEN c.movement_type = 'churn' THEN c.starting_mrr ELSE 0 END)::NUMERIC(18, 2) AS churned_mrr
FROM classified AS c
CROSS JOIN bounds AS b
