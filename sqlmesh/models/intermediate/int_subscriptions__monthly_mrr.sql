/* One row per Stripe subscription per completed calendar month (UTC) at whose end the
   subscription was counted towards MRR: its MRR at that month end (month_end_at), rebuilt from the billing record with the rules int_subscriptions__mrr
   applies to "now" (DESIGN.md §8), in currency units. month_end_at is the month's last instant,
   23:59:59.999999 UTC on its last day: what held as the month closed (a change at midnight of the
   1st belongs to the new month). Months run up to the last month that ended
   before the build; the current month is not here (its MRR is MRR now: int_subscriptions__mrr).
   What each item was billed at a month end comes from the invoice lines of
   staging.stg_stripe__invoice_line_items, read as a timeline per subscription item:
     - a line that bills a period (not a proration), or a proration charging the remaining time
       (amount >= 0), sets the item to its price × quantity from its period_start until the next
       line of the item or its period_end, whichever comes first (an item not renewed lapses);
     - a proration crediting unused time (amount < 0) ends what it credits at its period_start
       (the item was removed, or changed: then a charge at the same instant sets the new state);
     - before its first line, an item held what that line credits (a credit shows what it billed
       before) or renews (a subscription_cycle invoice renews the period before it), back to the
       subscription's creation in Stripe; an item whose first line is anything else starts there;
     - an item with no invoice line at all (a subscription not yet invoiced in the record) has not
       changed since it was created: its current price × quantity (stg_stripe__subscription_items)
       holds from its creation (not before the subscription's).
   A subscription counts at a month end (is_mrr_counted in int_subscriptions__mrr) when it had
   started and not ended by then (ended_at, else canceled_at for a canceled one), no trial was
   running (trial_end after the month end), and it is not incomplete now; items on one-time or
   metered prices count 0, proration amounts are never MRR. Then, per item:
     gross_mrr    = @normalize_to_mrr(unit_amount × quantity, interval, interval_count)
     discount_mrr = @item_discount_mrr of the coupons applying at the month end
                    (@coupon_applies_at: once = the billing period current at the month end, which
                    starts at the latest period-billing line of the subscription, is the first since
                    the discount started; repeating = duration_in_months from its start; forever)
     mrr          = gross_mrr − discount_mrr, rounded to the cent per item, summed per subscription
   Past-due periods count (as now); a subscription unpaid or paused now is not known to have been
   so at a past month end, so it counts there. Tax is never in unit_amount. */
MODEL (
  name intermediate.int_subscriptions__monthly_mrr,
  kind FULL,
  owner finance,
  grain (subscription_id, month_start),
  audits (
    unique_combination_of_columns(columns := (subscription_id, month_start)),
    not_null(columns := (
      subscription_id, month_start, month_end_at, customer_key, customer_id, counted_items, gross_mrr,
      discount_mrr, mrr
    )),
    assert_non_negative(columns := (counted_items, gross_mrr, discount_mrr, mrr))
  ),
  column_descriptions (
    subscription_id = 'Stripe subscription id (sub_...)',
    month_start = 'First day of the calendar month (UTC) whose end this is',
    month_end_at = 'The month''s last instant, 23:59:59.999999 UTC on its last day',
    customer_key = 'The customer (entity_customers.customer_key): app account id, else Stripe customer id',
    customer_id = 'Stripe customer id',
    account_id = 'App account id from the subscription metadata, else from its customer',
    plan = 'Catalog key of the subscription''s item with the highest gross MRR at the month end',
    currency = 'Currency of the subscription',
    billing_interval = 'Shortest recurring interval of its items at the month end (day, week, month, year)',
    interval_count = 'Smallest interval count of its items at the month end',
    counted_items = 'Items billed at the month end on licensed recurring prices',
    gross_mrr = 'Sum of the items'' unit_amount × quantity normalised to a month, before discounts',
    discount_mrr = 'gross_mrr − mrr: what the coupons applying at the month end take off',
    mrr = 'Sum of the items'' gross − discount, each rounded to the cent (DESIGN.md §8)'
  )
);

WITH subscriptions AS (
  SELECT
    s.subscription_id,
    s.customer_id,
    COALESCE(s.account_id, c.account_id) AS account_id,
    s.currency,
    s.subscription_status,
    s.created_at,
    s.trial_end,
    COALESCE(s.ended_at, CASE WHEN s.subscription_status = 'canceled' THEN s.canceled_at END) AS ended_at
  FROM staging.stg_stripe__subscriptions AS s
  LEFT JOIN staging.stg_stripe__customers AS c
    ON c.customer_id = s.customer_id
), lines AS (
  SELECT
    l.subscription_id,
    l.subscription_item_id,
    l.price_id,
    l.quantity,
    l.unit_amount,
    l.period_start,
    l.period_end,
    l.is_proration,
    (l.is_proration AND l.amount < 0) AS is_credit,
    i.billing_reason
  FROM staging.stg_stripe__invoice_line_items AS l
  LEFT JOIN staging.stg_stripe__invoices AS i
    ON i.invoice_id = l.invoice_id
  WHERE l.subscription_item_id IS NOT NULL AND l.subscription_id IS NOT NULL
), sequenced AS (
  /* At one instant a credit comes before the charge that replaces it. */
  SELECT
    *,
    LEAD(period_start) OVER w AS next_line_at,
    ROW_NUMBER() OVER w AS line_number
  FROM lines
  WINDOW w AS (PARTITION BY subscription_item_id ORDER BY period_start, is_credit DESC, period_end, price_id, quantity)
), spans AS (
  /* What an item was billed at, from valid_from until valid_to (exclusive). */
  SELECT
    subscription_id, subscription_item_id, price_id, quantity, unit_amount,
    period_start AS valid_from,
    LEAST(period_end, COALESCE(next_line_at, period_end)) AS valid_to
  FROM sequenced
  WHERE NOT is_credit
  UNION ALL
  SELECT
    q.subscription_id, q.subscription_item_id, q.price_id, q.quantity, q.unit_amount,
    s.created_at AS valid_from,
    q.period_start AS valid_to
  FROM sequenced AS q
  JOIN subscriptions AS s
    ON s.subscription_id = q.subscription_id
  WHERE q.line_number = 1
    AND (q.is_credit OR (NOT q.is_proration AND q.billing_reason = 'subscription_cycle'))
    AND s.created_at < q.period_start
  UNION ALL
  /* An item never invoiced has not changed since it was created (a change is a proration, a
     renewal a period line): its current price × quantity holds from then on. */
  SELECT
    i.subscription_id, i.subscription_item_id, i.price_id, i.quantity, i.unit_amount,
    GREATEST(s.created_at, COALESCE(i.created_at, s.created_at)) AS valid_from,
    'infinity'::TIMESTAMPTZ AS valid_to
  FROM staging.stg_stripe__subscription_items AS i
  JOIN subscriptions AS s
    ON s.subscription_id = i.subscription_id
  WHERE NOT EXISTS (SELECT 1 FROM lines AS l WHERE l.subscription_item_id = i.subscription_item_id)
), month_ends AS (
  SELECT
    m.month_start::DATE AS month_start,
    /* The month's last instant (Postgres time resolves microseconds): what held as it closed. */
    ((m.month_start + INTERVAL '1 month' - INTERVAL '1 microsecond') AT TIME ZONE 'UTC')::TIMESTAMPTZ AS month_end_at
  FROM (SELECT DATE_TRUNC('month', MIN(valid_from) AT TIME ZONE 'UTC') AS first_month FROM spans) AS b
  CROSS JOIN LATERAL GENERATE_SERIES(
    b.first_month,
    DATE_TRUNC('month', @execution_ts::TIMESTAMP) - INTERVAL '1 month',
    INTERVAL '1 month'
  ) AS m(month_start)
), items_at AS (
  /* The items billed at each month end, on subscriptions counted then. */
  SELECT
    s.subscription_id,
    s.customer_id,
    s.account_id,
    s.currency,
    e.month_start,
    e.month_end_at,
    p.subscription_item_id,
    p.unit_amount,
    p.quantity,
    r.recurring_interval AS billing_interval,
    COALESCE(r.recurring_interval_count, 1) AS interval_count,
    k.catalog_key,
    @normalize_to_mrr(p.unit_amount * p.quantity, r.recurring_interval, COALESCE(r.recurring_interval_count, 1))
      AS gross_mrr
  FROM spans AS p
  JOIN month_ends AS e
    ON p.valid_from <= e.month_end_at AND e.month_end_at < p.valid_to
  JOIN subscriptions AS s
    ON s.subscription_id = p.subscription_id
  JOIN staging.stg_stripe__prices AS r
    ON r.price_id = p.price_id
  LEFT JOIN staging.stg_stripe__products AS k
    ON k.product_id = r.product_id
  WHERE s.created_at <= e.month_end_at
    AND (s.ended_at IS NULL OR e.month_end_at < s.ended_at)
    AND NOT COALESCE(s.trial_end > e.month_end_at, FALSE)
    AND s.subscription_status NOT IN ('incomplete', 'incomplete_expired')
    AND r.price_type = 'recurring'
    AND r.recurring_interval IS NOT NULL
    AND COALESCE(r.usage_type, 'licensed') <> 'metered'
), subscription_totals AS (
  SELECT
    subscription_id,
    month_start,
    month_end_at,
    MIN(billing_interval) AS billing_interval,
    MIN(interval_count) AS interval_count,
    SUM(gross_mrr) AS gross_mrr
  FROM items_at
  GROUP BY subscription_id, month_start, month_end_at
), period_marks AS (
  /* The latest period-billing line at or before each month end, found in one pass over a timeline
     of lines and month ends per subscription (a line at the month end's instant sorts first). */
  SELECT subscription_id, month_start, latest_period_start
  FROM (
    SELECT
      subscription_id,
      month_start,
      MAX(period_start) OVER (
        PARTITION BY subscription_id ORDER BY at, is_month_end ROWS UNBOUNDED PRECEDING
      ) AS latest_period_start
    FROM (
      SELECT subscription_id, NULL::DATE AS month_start, period_start AS at, FALSE AS is_month_end, period_start
      FROM lines
      WHERE NOT is_proration
      UNION ALL
      SELECT subscription_id, month_start, month_end_at, TRUE, NULL::TIMESTAMPTZ
      FROM subscription_totals
    ) AS timeline
  ) AS marked
  WHERE month_start IS NOT NULL
), item_periods AS (
  /* The earliest current period of a subscription's items: the earliest of those begun by a month
     end is this one if it has begun, else there is none. One pass, not a scan per month end. */
  SELECT subscription_id, MIN(current_period_start) AS first_period_start
  FROM staging.stg_stripe__subscription_items
  GROUP BY subscription_id
), subscription_at AS (
  /* The billing period current at the month end starts at the latest period-billing line (for a
     subscription never invoiced: its items' current period, once it has begun). */
  SELECT
    t.*,
    COALESCE(
      m.latest_period_start,
      CASE WHEN f.first_period_start <= t.month_end_at THEN f.first_period_start END
    ) AS period_start
  FROM subscription_totals AS t
  LEFT JOIN period_marks AS m
    ON m.subscription_id = t.subscription_id AND m.month_start = t.month_start
  LEFT JOIN item_periods AS f
    ON f.subscription_id = t.subscription_id
), discounts_at AS (
  SELECT
    a.subscription_id,
    a.month_start,
    SUM(COALESCE(k.percent_off, 0)) AS percent_off,
    SUM(COALESCE(k.amount_off, 0)) AS amount_off
  FROM subscription_at AS a
  JOIN staging.stg_stripe__discounts AS d
    ON d.subscription_id = a.subscription_id
  JOIN staging.stg_stripe__coupons AS k
    ON k.coupon_id = d.coupon_id
  WHERE @coupon_applies_at(k.duration, k.duration_in_months, d.started_at, d.ends_at, a.period_start, a.month_end_at)
  GROUP BY a.subscription_id, a.month_start
), priced AS (
  SELECT
    i.*,
    ROUND(i.gross_mrr, 2) AS item_gross_mrr,
    ROUND(i.gross_mrr - @item_discount_mrr(
      i.gross_mrr,
      a.gross_mrr,
      d.percent_off,
      @normalize_to_mrr(d.amount_off, a.billing_interval, a.interval_count)
    ), 2) AS item_mrr,
    a.billing_interval AS subscription_interval,
    a.interval_count AS subscription_interval_count,
    ROW_NUMBER() OVER (
      PARTITION BY i.subscription_id, i.month_start ORDER BY i.gross_mrr DESC, i.catalog_key, i.subscription_item_id
    ) AS item_rank
  FROM items_at AS i
  JOIN subscription_at AS a
    ON a.subscription_id = i.subscription_id AND a.month_start = i.month_start
  LEFT JOIN discounts_at AS d
    ON d.subscription_id = i.subscription_id AND d.month_start = i.month_start
), per_subscription AS (
  SELECT
    subscription_id,
    month_start,
    MIN(month_end_at) AS month_end_at,
    MIN(customer_id) AS customer_id,
    MIN(account_id::TEXT) AS account_id,
    MIN(currency) AS currency,
    MIN(catalog_key) FILTER (WHERE item_rank = 1) AS plan,
    MIN(subscription_interval) AS billing_interval,
    MIN(subscription_interval_count) AS interval_count,
    COUNT(*) AS counted_items,
    SUM(item_gross_mrr) AS gross_mrr,
    SUM(item_mrr) AS mrr
  FROM priced
  GROUP BY subscription_id, month_start
)
SELECT
  /* ids */
  subscription_id::TEXT AS subscription_id,
  month_start::DATE AS month_start,
  COALESCE(account_id, customer_id)::TEXT AS customer_key,
  customer_id::TEXT AS customer_id,
  account_id::UUID AS account_id,
  /* attributes */
  plan::TEXT AS plan,
  currency::TEXT AS currency,
  billing_interval::TEXT AS billing_interval,
  interval_count::INT AS interval_count,
  /* measures */
  counted_items::INT AS counted_items,
  gross_mrr::NUMERIC(18, 2) AS gross_mrr,
  (gross_mrr - mrr)::NUMERIC(18, 2) AS discount_mrr,
  mrr::NUMERIC(18, 2) AS mrr,
  /* timestamps */
  month_end_at::TIMESTAMPTZ AS month_end_at
FROM per_subscription
