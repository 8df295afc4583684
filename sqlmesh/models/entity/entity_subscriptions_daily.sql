/* One row per live Stripe subscription per UTC day: its status, plan, seats and MRR as they stood
   at the end of the day (entity_subscriptions_history; before the warehouse first saw the
   subscription, its first known state stands in), with the invoices it was billed that day.
   Subscriptions canceled, expired or deleted by the end of the day have no row. Summed over
   subscriptions, a day's MRR is that day's closing MRR. Incremental on the day; every run rebuilds
   today and yesterday (a late Stripe event can change yesterday's close). */
MODEL (
  name entity.entity_subscriptions_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column snapshot_date,
    lookback 1
  ),
  interval_unit 'day',
  allow_partials TRUE,
  grain (subscription_id, snapshot_date),
  audits (
    unique_combination_of_columns(columns := (subscription_id, snapshot_date)),
    not_null(columns := (subscription_id, customer_key, snapshot_date, subscription_status, monthly_recurring_revenue, invoices, amount_invoiced, amount_paid)),
    assert_non_negative(columns := (seats, monthly_recurring_revenue, invoices, amount_paid))
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    customer_key = 'The customer (entity_customers.customer_key)',
    subscription_status = 'Status at the end of the day',
    monthly_recurring_revenue = 'MRR at the end of the day, currency units',
    invoices = 'Invoices of the subscription created that day (void ones excluded)',
    amount_invoiced = 'Their total, currency units (negative for a credit from a downgrade proration)',
    amount_paid = 'What was paid on them',
    snapshot_date = 'The UTC day'
  )
);

WITH days AS (
  SELECT day::DATE AS snapshot_date
  FROM GENERATE_SERIES(@start_ds::DATE, @end_ds::DATE, INTERVAL '1 day') AS days(day)
), invoices AS (
  SELECT
    subscription_id,
    (created_at AT TIME ZONE 'UTC')::DATE AS snapshot_date,
    COUNT(*) AS invoices,
    SUM(total) AS amount_invoiced,
    SUM(amount_paid) AS amount_paid
  FROM staging.stg_stripe__invoices
  WHERE
    subscription_id IS NOT NULL
    AND invoice_status IS DISTINCT FROM 'void'
    AND created_at >= @start_ts::TIMESTAMP AT TIME ZONE 'UTC'
    AND created_at <= @end_ts::TIMESTAMP AT TIME ZONE 'UTC'
  GROUP BY 1, 2
)
SELECT
  /* ids */
  h.subscription_id::TEXT AS subscription_id,
  h.customer_key::TEXT AS customer_key,
  /* attributes at the end of the day */
  h.subscription_status::TEXT AS subscription_status,
  h.plan::TEXT AS plan,
  h.billing_interval::TEXT AS billing_interval,
  /* measures */
  h.seats::INT AS seats,
  h.monthly_recurring_revenue::NUMERIC(18, 2) AS monthly_recurring_revenue,
  COALESCE(i.invoices, 0)::INT AS invoices,
  COALESCE(i.amount_invoiced, 0)::NUMERIC(18, 2) AS amount_invoiced,
  COALESCE(i.amount_paid, 0)::NUMERIC(18, 2) AS amount_paid,
  /* timestamps */
  d.snapshot_date::DATE AS snapshot_date
FROM days AS d
JOIN entity.entity_subscriptions_history AS h
  ON h.valid_from < (d.snapshot_date + 1)::TIMESTAMP AT TIME ZONE 'UTC'
  AND (h.valid_to IS NULL OR h.valid_to >= (d.snapshot_date + 1)::TIMESTAMP AT TIME ZONE 'UTC')
LEFT JOIN invoices AS i
  ON i.subscription_id = h.subscription_id AND i.snapshot_date = d.snapshot_date
WHERE
  NOT h.is_deleted
  AND h.subscription_status NOT IN ('canceled', 'incomplete_expired');

/* Runs and downstream models read and replace this table by time range: index it once, when
   the physical table is created. */
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (snapshot_date));
