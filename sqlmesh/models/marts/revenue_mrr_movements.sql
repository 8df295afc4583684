/* One row per customer per calendar month (UTC) in which the customer started or ended with MRR:
   its MRR at the end of the previous month (starting_mrr) and at the end of this month
   (ending_mrr), and the month's MRR movement. Month-end MRR is the customer's MRR in
   entity.entity_customers_history in the version valid at the end of the month (the instant the
   next month starts); for the current month, the customer's current version, so ending_mrr of
   the current month sums to SUM(entity.entity_customers.monthly_recurring_revenue). A customer
   with no version yet at a month end has 0 MRR then. Months run from the first month any version
   starts in (versions present at the first build, valid from 1970, count from that month) to the
   month of the build; months that start and end without MRR are left out.
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
    plan = 'The customer''s tier in the version valid at the end of the month',
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

WITH history AS (
  SELECT
    customer_key,
    plan,
    monthly_recurring_revenue,
    /* Nothing is known past the build: a window reaching beyond it ends at it. */
    LEAST(valid_from AT TIME ZONE 'UTC', @execution_ts::TIMESTAMP) AS valid_from,
    (CASE WHEN valid_to IS NOT NULL THEN LEAST(valid_to AT TIME ZONE 'UTC', @execution_ts::TIMESTAMP) END) AS valid_to
  FROM entity.entity_customers_history
), bounds AS (
  SELECT
    COALESCE(
      DATE_TRUNC('month', MIN(valid_from) FILTER (WHERE valid_from > '1970-01-01 00:00:00'::TIMESTAMP)),
      DATE_TRUNC('month', @execution_ts::TIMESTAMP)
    ) AS first_month,
    DATE_TRUNC('month', @execution_ts::TIMESTAMP) AS current_month
  FROM history
), version_months AS (
  /* Each version holds at the end of the months m with valid_from < m + 1 month <= valid_to:
     from its valid_from's month to the month before its valid_to's month (open: to now). */
  SELECT
    h.customer_key,
    h.plan,
    h.monthly_recurring_revenue AS mrr,
    m.month_start::DATE AS month_start
  FROM history AS h
  CROSS JOIN bounds AS b
  CROSS JOIN LATERAL GENERATE_SERIES(
    GREATEST(DATE_TRUNC('month', h.valid_from), b.first_month),
    LEAST(COALESCE(DATE_TRUNC('month', h.valid_to) - INTERVAL '1 month', b.current_month), b.current_month),
    INTERVAL '1 month'
  ) AS m(month_start)
), sequenced AS (
  SELECT
    customer_key,
    month_start,
    plan,
    mrr AS ending_mrr,
    /* Months of a customer are contiguous from its first version on: LAG is the previous month. */
    COALESCE(LAG(mrr) OVER w, 0) AS starting_mrr,
    COALESCE(BOOL_OR(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), FALSE) AS had_mrr_before
  FROM version_months
  WINDOW w AS (PARTITION BY customer_key ORDER BY month_start)
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
  (c.month_start = b.current_month::DATE)::BOOLEAN AS is_current_month,
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
