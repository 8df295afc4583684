/* One row per HubSpot line item, an order line of a deal (archived ones kept, is_deleted true):
   the product, the account and the deal it belongs to, and its money.
     gross_amount     quantity × unit price less the discount (per billing period for a subscription)
     revenue_amount   gross_amount of a fulfilled order (its deal won); 0 for cancelled (deal lost),
                      refunded (the customer cancelled soon after) and pending (deal still open) orders
                      and for archived lines: revenue excludes cancelled and refunded orders
     tax_rate         tax_amount ÷ gross_amount (the customer's country rate); NULL when gross is 0
     days_to_delivery days from the order (line created) to its fulfilment (the deal closing won);
                      NULL unless fulfilled or refunded (a refunded order was delivered first) */
MODEL (
  name crm.fact_orders,
  kind FULL,
  owner sales_analytics,
  grain line_item_id,
  audits (
    unique_values(columns := (line_item_id)),
    not_null(columns := (
      line_item_id, product_id, order_status, is_revenue, is_deleted, quantity, unit_price,
      gross_amount, revenue_amount, ordered_at, order_date
    )),
    accepted_values(column := order_status, is_in := ('pending', 'fulfilled', 'cancelled', 'refunded')),
    assert_in_range(columns := (tax_rate, discount_percent)),
    assert_non_negative(columns := (
      quantity, unit_price, gross_amount, revenue_amount, tax_amount, mrr, days_to_delivery
    ))
  ),
  column_descriptions (
    line_item_id = 'HubSpot line item id',
    deal_id = 'The deal the order belongs to (crm.fact_deals)',
    product_id = 'The product (crm.dim_products)',
    company_id = 'The deal''s company (crm.dim_accounts)',
    owner_id = 'The deal''s sales rep',
    customer_key = 'The customer (intermediate.int_customers__core): app account id, else hubspot:<company id>',
    order_status = 'pending (deal open), fulfilled (won), cancelled (lost) or refunded (cancelled soon after buying)',
    is_revenue = 'order_status is fulfilled and the line is not archived',
    is_recurring = 'A subscription line (it has an MRR)',
    quantity = 'Seats for a subscription, units for hardware',
    unit_price = 'List price per unit, USD',
    discount_percent = 'Discount off the list price, percent',
    gross_amount = 'quantity × unit_price less the discount, USD (per billing period for a subscription)',
    revenue_amount = 'gross_amount when is_revenue, else 0 (cancelled, refunded, pending and archived lines excluded), USD',
    tax_amount = 'Sales tax / VAT, USD',
    tax_rate = 'tax_amount ÷ gross_amount × 100, percent; NULL when gross_amount is 0',
    mrr = 'Monthly recurring revenue of a subscription line, USD; NULL for hardware',
    days_to_delivery = 'Days from ordered_at to delivered_at; NULL unless fulfilled or refunded',
    ordered_at = 'When the order line was created',
    order_date = 'UTC day of ordered_at',
    delivered_at = 'When its deal closed won (the order was fulfilled)'
  )
);

WITH orders AS (
  SELECT
    li.*,
    d.company_id,
    d.owner_id,
    d.entered_closedwon_at,
    COALESCE(d.app_account_id::TEXT, co.app_account_id::TEXT, 'hubspot:' || d.company_id) AS link_key
  FROM staging.stg_hubspot__line_items AS li
  LEFT JOIN staging.stg_hubspot__deals AS d
    ON d.deal_id = li.deal_id
  LEFT JOIN staging.stg_hubspot__companies AS co
    ON co.company_id = d.company_id
), enriched AS (
  SELECT
    o.*,
    c.customer_key,
    (o.order_status = 'fulfilled' AND NOT COALESCE(o.is_deleted, FALSE)) AS revenue,
    (CASE WHEN o.order_status IN ('fulfilled', 'refunded') THEN o.entered_closedwon_at END) AS delivered
  FROM orders AS o
  LEFT JOIN intermediate.int_customers__core AS c
    ON c.customer_key = o.link_key
)
SELECT
  /* ids */
  line_item_id::TEXT AS line_item_id,
  deal_id::TEXT AS deal_id,
  product_id::TEXT AS product_id,
  company_id::TEXT AS company_id,
  owner_id::TEXT AS owner_id,
  customer_key::TEXT AS customer_key,
  /* attributes */
  line_item_name::TEXT AS line_item_name,
  sku::TEXT AS sku,
  order_status::TEXT AS order_status,
  revenue::BOOLEAN AS is_revenue,
  (mrr IS NOT NULL)::BOOLEAN AS is_recurring,
  billing_period::TEXT AS billing_period,
  currency::TEXT AS currency,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  quantity::INT AS quantity,
  unit_price::NUMERIC(18, 2) AS unit_price,
  discount_percent::NUMERIC(5, 2) AS discount_percent,
  amount::NUMERIC(18, 2) AS gross_amount,
  (CASE WHEN revenue THEN amount ELSE 0 END)::NUMERIC(18, 2) AS revenue_amount,
  tax_amount::NUMERIC(18, 2) AS tax_amount,
  ROUND(100 * tax_amount / NULLIF(amount, 0), 2)::NUMERIC(5, 2) AS tax_rate,
  mrr::NUMERIC(18, 2) AS mrr,
  ROUND(@crm_days_between(created_at, delivered), 2)::NUMERIC(10, 2) AS days_to_delivery,
  /* timestamps */
  created_at::TIMESTAMPTZ AS ordered_at,
  (created_at AT TIME ZONE 'UTC')::DATE AS order_date,
  delivered::TIMESTAMPTZ AS delivered_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM enriched
