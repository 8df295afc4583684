/* One row per customer: the app account linked to its Stripe customer (metadata.account_id) and
   its HubSpot company (the app_account_id property). A link that is missing stays visible: the
   row is kept with a NULL id and has_app_account / has_stripe_customer / has_hubspot_company
   false. Stripe customers, HubSpot companies and subscriptions that name no app account are kept
   too, each as its own customer, so nothing billed is ever dropped.
   customer_key is the app account id when there is one, else the Stripe customer id, else
   'hubspot:' || the HubSpot company id. Where an account has several Stripe customers or HubSpot
   companies, the live, most recently created one is linked. */
MODEL (
  name intermediate.int_customers__core,
  kind FULL,
  grain customer_key,
  audits (
    unique_values(columns := (customer_key)),
    not_null(columns := (customer_key, has_app_account, has_stripe_customer, has_hubspot_company))
  ),
  column_descriptions (
    customer_key = 'The app account id, else the Stripe customer id, else hubspot:<company id>',
    account_id = 'App account id (uuid); NULL for a Stripe customer or HubSpot company with no app account',
    stripe_customer_id = 'The linked Stripe customer (cus_...); NULL when none',
    hubspot_company_id = 'The linked HubSpot company; NULL when none',
    has_app_account = 'The customer exists in the app',
    has_stripe_customer = 'A Stripe customer is linked',
    has_hubspot_company = 'A HubSpot company is linked',
    is_delinquent = 'Stripe marks the customer delinquent (an unpaid invoice)'
  )
);

WITH customers AS (
  SELECT
    COALESCE(account_id::TEXT, customer_id) AS customer_key,
    *
  FROM staging.stg_stripe__customers
), customer_link AS (
  SELECT DISTINCT ON (customer_key) *
  FROM customers
  ORDER BY customer_key, is_deleted NULLS LAST, created_at DESC NULLS LAST, customer_id
), companies AS (
  SELECT
    COALESCE(app_account_id::TEXT, 'hubspot:' || company_id) AS customer_key,
    *
  FROM staging.stg_hubspot__companies
), company_link AS (
  SELECT DISTINCT ON (customer_key) *
  FROM companies
  ORDER BY customer_key, is_deleted NULLS LAST, created_at DESC NULLS LAST, company_id
), keys AS (
  SELECT account_id::TEXT AS customer_key FROM staging.stg_app__accounts
  UNION
  SELECT customer_key FROM customers
  UNION
  SELECT customer_key FROM companies
  UNION
  SELECT COALESCE(account_id::TEXT, customer_id) FROM staging.stg_stripe__subscriptions
)
SELECT
  /* ids */
  k.customer_key::TEXT AS customer_key,
  COALESCE(a.account_id, c.account_id, h.app_account_id)::UUID AS account_id,
  c.customer_id::TEXT AS stripe_customer_id,
  h.company_id::TEXT AS hubspot_company_id,
  /* attributes */
  COALESCE(a.account_name, h.company_name, c.customer_name)::TEXT AS account_name,
  a.domain::TEXT AS domain,
  COALESCE(a.industry, h.industry)::TEXT AS industry,
  a.company_size::TEXT AS company_size,
  COALESCE(a.country_code, c.country_code)::TEXT AS country_code,
  a.plan::TEXT AS plan,
  a.billing_interval::TEXT AS billing_interval,
  a.seats::INT AS seats,
  a.account_status::TEXT AS account_status,
  a.signup_channel::TEXT AS signup_channel,
  a.utm_source::TEXT AS utm_source,
  a.utm_medium::TEXT AS utm_medium,
  a.utm_campaign::TEXT AS utm_campaign,
  c.currency::TEXT AS currency,
  COALESCE(c.is_delinquent, FALSE)::BOOLEAN AS is_delinquent,
  h.lifecycle_stage::TEXT AS lifecycle_stage,
  h.owner_id::TEXT AS hubspot_owner_id,
  COALESCE(a.is_deleted, FALSE)::BOOLEAN AS is_deleted,
  (a.account_id IS NOT NULL)::BOOLEAN AS has_app_account,
  (c.customer_id IS NOT NULL)::BOOLEAN AS has_stripe_customer,
  (h.company_id IS NOT NULL)::BOOLEAN AS has_hubspot_company,
  /* timestamps */
  a.trial_ends_at::TIMESTAMPTZ AS trial_ends_at,
  a.canceled_at::TIMESTAMPTZ AS canceled_at,
  a.last_active_at::TIMESTAMPTZ AS last_active_at,
  COALESCE(a.created_at, c.created_at, h.created_at)::TIMESTAMPTZ AS created_at,
  a.updated_at::TIMESTAMPTZ AS updated_at
FROM keys AS k
LEFT JOIN staging.stg_app__accounts AS a
  ON a.account_id::TEXT = k.customer_key
LEFT JOIN customer_link AS c
  ON c.customer_key = k.customer_key
LEFT JOIN company_link AS h
  ON h.customer_key = k.customer_key
WHERE k.customer_key IS NOT NULL
