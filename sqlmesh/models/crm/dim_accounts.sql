/* One row per HubSpot company (archived duplicates kept, is_deleted true): the CRM account, linked
   to the app account and the Stripe customer through intermediate.int_customers__core /
   entity.entity_customers (customer_key: the app account id, else hubspot:<company id>).
     account_category  one CASE, in this order: inactive (archived); customer (app account active or
                       past_due); churned (app account canceled); prospect (a trialing app account,
                       an open deal, or a deal, activity or the record itself created or changed in the
                       last 90 days, @crm_inactive_after_days); inactive (the rest)
     revenue_segment   by the customer's current MRR (@crm_revenue_segment, macros/crm_rules.py): small
                       (< 500 USD), medium (500-1,999.99), large (2,000-9,999.99), enterprise
                       (≥ 10,000); NULL when the account has no MRR (prospects, churned, inactive)
     company_size      employee-count band: 1-10, 11-50, 51-200, 201-1000, 1000+ (the app's bands)
   Deal and activity counts are over the account's deals and engagements not archived. */
MODEL (
  name crm.dim_accounts,
  kind FULL,
  owner sales_analytics,
  grain company_id,
  audits (
    unique_values(columns := (company_id)),
    not_null(columns := (
      company_id, company_name, account_category, has_app_account, is_deleted, monthly_recurring_revenue,
      open_deals, won_deals, lost_deals, open_pipeline_amount, won_amount, contacts, activities_90d, created_at
    )),
    accepted_values(column := account_category, is_in := ('customer', 'prospect', 'churned', 'inactive')),
    accepted_values(column := revenue_segment, is_in := ('small', 'medium', 'large', 'enterprise')),
    accepted_values(column := company_size, is_in := ('1-10', '11-50', '51-200', '201-1000', '1000+')),
    assert_non_negative(columns := (
      employee_count, monthly_recurring_revenue, annual_recurring_revenue, open_deals, won_deals, lost_deals,
      open_pipeline_amount, won_amount, contacts, activities_90d
    ))
  ),
  column_descriptions (
    company_id = 'HubSpot company id',
    customer_key = 'The customer (intermediate.int_customers__core, entity.entity_customers): app account id, else hubspot:<company id>',
    account_id = 'App account id (uuid); NULL for prospects and duplicates',
    stripe_customer_id = 'The linked Stripe customer; NULL when none',
    industry = 'HubSpot industry: FOOD_BEVERAGES (bars), RESTAURANTS, WINE_AND_SPIRITS (breweries), HOSPITALITY, ENTERTAINMENT, EVENTS_SERVICES',
    company_size = 'Employee-count band: 1-10, 11-50, 51-200, 201-1000, 1000+',
    owner_id = 'Owning sales rep (HubSpot owner id)',
    owner_name = 'Owning sales rep''s name',
    lifecycle_stage = 'HubSpot lifecycle stage (lead ... customer, other)',
    account_category = 'customer, prospect, churned or inactive (see the model comment)',
    revenue_segment = 'By MRR: small < 500, medium 500-1,999.99, large 2,000-9,999.99, enterprise ≥ 10,000 USD; NULL without MRR',
    app_status = 'The app account status: trialing, active, past_due or canceled; NULL without an app account',
    plan = 'The app plan',
    monthly_recurring_revenue = 'The customer''s current MRR, USD (entity.entity_customers; DESIGN.md §8); 0 without one',
    annual_recurring_revenue = 'monthly_recurring_revenue × 12',
    customer_health_score = '0-100 from entity.entity_customers; NULL for a company not linked to a customer row',
    open_deals = 'Deals open now',
    won_deals = 'Deals won',
    lost_deals = 'Deals lost',
    open_pipeline_amount = 'Sum of the open deals'' amounts, USD',
    won_amount = 'Sum of the won deals'' amounts, USD',
    contacts = 'Contacts not archived',
    activities_90d = 'Engagements (calls, emails, meetings, notes, tasks) in the trailing 90 days',
    last_activity_at = 'Latest engagement, deal creation or change',
    is_deleted = 'Archived in HubSpot (a merged duplicate)'
  )
);

WITH deals AS (
  SELECT
    company_id,
    COUNT(*) FILTER (WHERE NOT is_closed) AS open_deals,
    COUNT(*) FILTER (WHERE is_closed AND is_closed_won) AS won_deals,
    COUNT(*) FILTER (WHERE is_closed AND NOT COALESCE(is_closed_won, FALSE)) AS lost_deals,
    SUM(amount) FILTER (WHERE NOT is_closed) AS open_amount,
    SUM(amount) FILTER (WHERE is_closed AND is_closed_won) AS won_amount,
    MAX(updated_at) AS last_deal_at
  FROM staging.stg_hubspot__deals
  WHERE NOT COALESCE(is_deleted, FALSE)
  GROUP BY 1
), activity_times AS (
  SELECT company_id, occurred_at FROM staging.stg_hubspot__calls WHERE NOT is_deleted
  UNION ALL
  SELECT company_id, occurred_at FROM staging.stg_hubspot__emails WHERE NOT is_deleted
  UNION ALL
  SELECT company_id, occurred_at FROM staging.stg_hubspot__meetings WHERE NOT is_deleted
  UNION ALL
  SELECT company_id, occurred_at FROM staging.stg_hubspot__notes WHERE NOT is_deleted
  UNION ALL
  SELECT company_id, due_at FROM staging.stg_hubspot__tasks WHERE NOT is_deleted
), activities AS (
  SELECT
    company_id,
    COUNT(*) FILTER (
      WHERE occurred_at > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - INTERVAL '90 days'
        AND occurred_at <= (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC')
    ) AS activities_90d,
    MAX(occurred_at) FILTER (WHERE occurred_at <= (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC')) AS last_activity_at
  FROM activity_times
  GROUP BY 1
), contacts AS (
  SELECT company_id, COUNT(*) AS contacts
  FROM staging.stg_hubspot__contacts
  WHERE NOT is_deleted
  GROUP BY 1
), accounts AS (
  SELECT
    co.*,
    e.customer_key,
    e.account_id,
    e.stripe_customer_id,
    e.status AS account_status,
    e.plan,
    e.monthly_recurring_revenue AS mrr,
    e.customer_health_score,
    o.first_name || ' ' || o.last_name AS owner_name,
    COALESCE(d.open_deals, 0) AS open_deals,
    COALESCE(d.won_deals, 0) AS won_deals,
    COALESCE(d.lost_deals, 0) AS lost_deals,
    COALESCE(d.open_amount, 0) AS open_amount,
    COALESCE(d.won_amount, 0) AS won_amount,
    COALESCE(ct.contacts, 0) AS contacts,
    COALESCE(a.activities_90d, 0) AS activities_90d,
    GREATEST(a.last_activity_at, d.last_deal_at) AS last_touch_at
  FROM staging.stg_hubspot__companies AS co
  LEFT JOIN entity.entity_customers AS e
    ON e.customer_key = COALESCE(co.app_account_id::TEXT, 'hubspot:' || co.company_id)
  LEFT JOIN staging.stg_hubspot__owners AS o
    ON o.owner_id = co.owner_id
  LEFT JOIN deals AS d
    ON d.company_id = co.company_id
  LEFT JOIN contacts AS ct
    ON ct.company_id = co.company_id
  LEFT JOIN activities AS a
    ON a.company_id = co.company_id
)
SELECT
  /* ids */
  company_id::TEXT AS company_id,
  customer_key::TEXT AS customer_key,
  account_id::UUID AS account_id,
  stripe_customer_id::TEXT AS stripe_customer_id,
  owner_id::TEXT AS owner_id,
  /* attributes */
  company_name::TEXT AS company_name,
  domain::TEXT AS domain,
  industry::TEXT AS industry,
  employee_count::INT AS employee_count,
  (CASE WHEN employee_count IS NULL THEN NULL WHEN employee_count <= 10 THEN '1-10'
    WHEN employee_count <= 50 THEN '11-50' WHEN employee_count <= 200 THEN '51-200'
    WHEN employee_count <= 1000 THEN '201-1000' ELSE '1000+' END)::TEXT AS company_size,
  country::TEXT AS country,
  city::TEXT AS city,
  owner_name::TEXT AS owner_name,
  lifecycle_stage::TEXT AS lifecycle_stage,
  analytics_source::TEXT AS analytics_source,
  (CASE
    WHEN is_deleted THEN 'inactive'
    WHEN account_status IN ('active', 'past_due') THEN 'customer'
    WHEN account_status = 'canceled' THEN 'churned'
    WHEN account_status = 'trialing' OR open_deals > 0
      OR GREATEST(last_touch_at, created_at, updated_at)
        > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - @crm_inactive_after_days() * INTERVAL '1 day'
      THEN 'prospect'
    ELSE 'inactive'
  END)::TEXT AS account_category,
  @crm_revenue_segment(NULLIF(mrr, 0))::TEXT AS revenue_segment,
  account_status::TEXT AS app_status,
  plan::TEXT AS plan,
  (account_id IS NOT NULL)::BOOLEAN AS has_app_account,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  COALESCE(mrr, 0)::NUMERIC(18, 2) AS monthly_recurring_revenue,
  (COALESCE(mrr, 0) * 12)::NUMERIC(18, 2) AS annual_recurring_revenue,
  customer_health_score::NUMERIC(5, 2) AS customer_health_score,
  open_deals::INT AS open_deals,
  won_deals::INT AS won_deals,
  lost_deals::INT AS lost_deals,
  open_amount::NUMERIC(18, 2) AS open_pipeline_amount,
  won_amount::NUMERIC(18, 2) AS won_amount,
  contacts::INT AS contacts,
  activities_90d::INT AS activities_90d,
  /* timestamps */
  last_touch_at::TIMESTAMPTZ AS last_activity_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM accounts
