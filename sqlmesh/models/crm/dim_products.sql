/* One row per HubSpot product (archived ones kept, is_deleted true): the subscription plans (one
   per plan and billing interval, priced per seat per billing period) and the tap sensor hardware,
   with what has been sold of each (crm.fact_orders).
     inventory_status  discontinued (archived), stocked (hardware: product_type inventory, on sale)
                       or non_stock (a service: a subscription plan, nothing to stock). HubSpot holds
                       no stock levels, so in- or out-of-stock cannot be told
     price_tier        @crm_price_tier (macros/crm_rules.py): plans by the price per seat per month
                       (unit_price ÷ billing months): budget < 50, mid-range 50-89.99, premium
                       90-139.99, luxury ≥ 140 USD; hardware by unit price: budget < 150, mid-range
                       150-199.99, premium 200-249.99, luxury ≥ 250 USD
     avg_discount_pct  the average discount granted off the list price on its order lines, weighted
                       by list value (1 − Σ amount ÷ Σ quantity × unit_price) × 100
   Gross margin is absent: HubSpot (and so the warehouse) holds no product cost. */
MODEL (
  name crm.dim_products,
  kind FULL,
  owner sales_analytics,
  grain product_id,
  audits (
    unique_values(columns := (product_id)),
    not_null(columns := (
      product_id, product_name, sku, product_type, unit_price, price_tier, inventory_status, is_deleted,
      order_lines, units_sold, revenue_amount
    )),
    accepted_values(column := price_tier, is_in := ('budget', 'mid-range', 'premium', 'luxury')),
    accepted_values(column := inventory_status, is_in := ('stocked', 'non_stock', 'discontinued')),
    assert_in_range(columns := (avg_discount_pct)),
    assert_non_negative(columns := (unit_price, monthly_unit_price, order_lines, units_sold, revenue_amount))
  ),
  column_descriptions (
    product_id = 'HubSpot product id',
    sku = 'SUB-<plan>-<interval> for plans, HW-<model> for hardware',
    product_type = 'service (subscription plans) or inventory (hardware)',
    product_category = 'subscription or hardware',
    unit_price = 'List price, USD: per seat per billing period for plans, per unit for hardware',
    billing_months = 'Months in a plan''s billing period (1, 3, 12); NULL for hardware',
    monthly_unit_price = 'Plans: unit_price ÷ billing_months (per seat per month); hardware: unit_price',
    price_tier = 'budget, mid-range, premium or luxury (see the model comment)',
    inventory_status = 'stocked, non_stock or discontinued (see the model comment)',
    order_lines = 'Order lines of the product (crm.fact_orders, not archived)',
    units_sold = 'Seats or units on fulfilled order lines',
    revenue_amount = 'Revenue of its fulfilled order lines, USD (crm.fact_orders.revenue_amount)',
    avg_discount_pct = 'Average discount off list on its order lines, percent, weighted by list value; NULL when none',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH sales AS (
  SELECT
    product_id,
    COUNT(*) AS order_lines,
    SUM(quantity) FILTER (WHERE is_revenue) AS units_sold,
    SUM(revenue_amount) AS revenue_amount,
    SUM(gross_amount) AS gross_amount,
    SUM(quantity * unit_price) AS list_amount
  FROM crm.fact_orders
  WHERE NOT is_deleted
  GROUP BY 1
), products AS (
  SELECT
    p.*,
    (CASE p.billing_period WHEN 'P1M' THEN 1 WHEN 'P3M' THEN 3 WHEN 'P12M' THEN 12 END) AS months
  FROM staging.stg_hubspot__products AS p
)
SELECT
  /* ids */
  p.product_id::TEXT AS product_id,
  /* attributes */
  p.product_name::TEXT AS product_name,
  p.description::TEXT AS description,
  p.sku::TEXT AS sku,
  p.product_type::TEXT AS product_type,
  (CASE WHEN p.product_type = 'service' THEN 'subscription' ELSE 'hardware' END)::TEXT AS product_category,
  p.billing_frequency::TEXT AS billing_frequency,
  p.months::INT AS billing_months,
  @crm_price_tier(p.product_type, p.unit_price, p.months)::TEXT AS price_tier,
  (CASE WHEN p.is_deleted THEN 'discontinued' WHEN p.product_type = 'inventory' THEN 'stocked'
    ELSE 'non_stock' END)::TEXT AS inventory_status,
  p.is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  p.unit_price::NUMERIC(18, 2) AS unit_price,
  ROUND(CASE WHEN p.product_type = 'service' THEN p.unit_price / NULLIF(p.months, 0) ELSE p.unit_price END, 2)::NUMERIC(18, 2)
    AS monthly_unit_price,
  COALESCE(s.order_lines, 0)::INT AS order_lines,
  COALESCE(s.units_sold, 0)::INT AS units_sold,
  COALESCE(s.revenue_amount, 0)::NUMERIC(18, 2) AS revenue_amount,
  ROUND(100 * (1 - s.gross_amount / NULLIF(s.list_amount, 0)), 2)::NUMERIC(5, 2) AS avg_discount_pct,
  /* timestamps */
  p.created_at::TIMESTAMPTZ AS created_at,
  p.updated_at::TIMESTAMPTZ AS updated_at
FROM products AS p
LEFT JOIN sales AS s
  ON s.product_id = p.product_id
