/* One row per customer (intermediate.int_customers__core: the app account with its Stripe
   customer and HubSpot company; links that are missing stay NULL) as it stands now, with the
   metrics a customer-success dashboard needs:
     monthly_recurring_revenue  sum of the customer's subscription items' MRR (DESIGN.md §8)
     device_events_30d, device_online_ratio, active_devices   from entity.entity_devices
     total_locations            from entity.entity_locations
     monthly_active_users       from entity.entity_users
     features_adopted           distinct features the customer's users used in 30 days
     support_tickets_30d        HubSpot tickets of the company created in 30 days
     failed_payments_30d        failed Stripe charges in 30 days
   customer_health_score and churn_risk_score (0-100) come from the macros
   @calculate_customer_health_score and @calculate_churn_risk_score (weights in
   macros/business_rules.py); health_band: healthy ≥ 80, stable 60-79, at_risk < 60. */
MODEL (
  name entity.entity_customers,
  kind FULL,
  grain customer_key,
  audits (
    unique_values(columns := (customer_key)),
    not_null(columns := (
      customer_key, has_app_account, has_stripe_customer, has_hubspot_company, is_delinquent,
      monthly_recurring_revenue, customer_health_score, churn_risk_score, health_band
    )),
    accepted_values(column := health_band, is_in := ('healthy', 'stable', 'at_risk')),
    assert_in_range(columns := (customer_health_score, churn_risk_score)),
    assert_in_range(columns := (device_online_ratio), max_v := 1),
    assert_non_negative(columns := (
      monthly_recurring_revenue, annual_recurring_revenue, device_events_30d, total_locations,
      total_devices, active_devices, monthly_active_users, features_adopted, support_tickets_30d,
      failed_payments_30d, active_subscriptions, days_since_last_activity
    ))
  ),
  column_descriptions (
    customer_key = 'The app account id, else the Stripe customer id, else hubspot:<company id>',
    account_id = 'App account id (uuid); NULL for a billing or CRM record with no app account',
    plan = 'The app plan (the customer''s tier)',
    status = 'The app account status: trialing, active, past_due or canceled',
    monthly_recurring_revenue = 'Sum of the MRR of the customer''s subscription items, currency units (DESIGN.md §8)',
    annual_recurring_revenue = 'monthly_recurring_revenue × 12',
    device_events_30d = 'Pours recorded by the customer''s devices in the trailing 30 days',
    device_online_ratio = 'Online heartbeats ÷ heartbeats of the customer''s active devices in 30 days, 0-1; NULL without heartbeats',
    total_locations = 'Locations not deleted',
    active_devices = 'Devices online or offline (installed, not retired, not deleted)',
    monthly_active_users = 'Users active in the trailing 30 days (MAU), deleted users excluded',
    features_adopted = 'Distinct features used by the customer''s users in the trailing 30 days',
    features_available = 'Features released (beta or ga) and not deleted',
    support_tickets_30d = 'HubSpot tickets of the customer''s company created in the trailing 30 days',
    failed_payments_30d = 'Failed Stripe charges of the customer in the trailing 30 days',
    is_delinquent = 'Stripe marks the customer delinquent, or the account is past_due',
    days_since_last_activity = 'Whole days since the latest user activity, device report or account activity; NULL if never',
    customer_health_score = '0-100, @calculate_customer_health_score',
    churn_risk_score = '0-100, @calculate_churn_risk_score (100 when canceled)',
    health_band = 'healthy (score ≥ 80), stable (60-79) or at_risk (< 60)'
  )
);

WITH mrr AS (
  SELECT
    COALESCE(account_id::TEXT, customer_id) AS customer_key,
    SUM(mrr) AS mrr,
    COUNT(DISTINCT subscription_id) FILTER (WHERE is_mrr_counted) AS active_subscriptions
  FROM intermediate.int_subscriptions__mrr
  GROUP BY 1
), devices AS (
  SELECT
    account_id::TEXT AS customer_key,
    COUNT(*) FILTER (WHERE NOT is_deleted) AS total_devices,
    COUNT(*) FILTER (WHERE NOT is_deleted AND device_status IN ('online', 'offline')) AS active_devices,
    SUM(tap_events_30d) AS device_events_30d,
    SUM(online_heartbeats_30d) FILTER (WHERE NOT is_deleted AND device_status IN ('online', 'offline'))::NUMERIC
      / NULLIF(SUM(heartbeats_30d) FILTER (WHERE NOT is_deleted AND device_status IN ('online', 'offline')), 0)
      AS device_online_ratio,
    MAX(last_seen_at) AS last_seen_at
  FROM entity.entity_devices
  GROUP BY 1
), locations AS (
  SELECT account_id::TEXT AS customer_key, COUNT(*) FILTER (WHERE NOT is_deleted) AS total_locations
  FROM entity.entity_locations
  GROUP BY 1
), users AS (
  SELECT
    account_id::TEXT AS customer_key,
    COUNT(*) FILTER (WHERE is_monthly_active AND NOT is_deleted) AS monthly_active_users,
    MAX(last_active_at) AS last_active_at
  FROM entity.entity_users
  GROUP BY 1
), features AS (
  SELECT account_id::TEXT AS customer_key, COUNT(DISTINCT feature_id) AS features_adopted
  FROM intermediate.int_features__usage_daily
  WHERE usage_date > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC' AT TIME ZONE 'UTC')::DATE - 30
  GROUP BY 1
), tickets AS (
  SELECT company_id, COUNT(*) AS support_tickets_30d
  FROM staging.stg_hubspot__tickets
  WHERE
    NOT COALESCE(is_deleted, FALSE)
    AND created_at > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - INTERVAL '30 days'
  GROUP BY 1
), charges AS (
  SELECT customer_id, COUNT(*) AS failed_payments_30d
  FROM staging.stg_stripe__charges
  WHERE charge_status = 'failed' AND created_at > (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - INTERVAL '30 days'
  GROUP BY 1
), metrics AS (
  SELECT
    c.*,
    COALESCE(m.mrr, 0) AS mrr,
    COALESCE(m.active_subscriptions, 0) AS active_subscriptions,
    COALESCE(d.total_devices, 0) AS total_devices,
    COALESCE(d.active_devices, 0) AS active_devices,
    COALESCE(d.device_events_30d, 0) AS device_events_30d,
    d.device_online_ratio,
    COALESCE(l.total_locations, 0) AS total_locations,
    COALESCE(u.monthly_active_users, 0) AS monthly_active_users,
    COALESCE(f.features_adopted, 0) AS features_adopted,
    (SELECT COUNT(*) FROM entity.entity_features WHERE NOT is_deleted AND feature_status IN ('beta', 'ga'))
      AS features_available,
    COALESCE(t.support_tickets_30d, 0) AS support_tickets_30d,
    COALESCE(ch.failed_payments_30d, 0) AS failed_payments_30d,
    (c.is_delinquent OR COALESCE(c.account_status = 'past_due', FALSE)) AS delinquent,
    GREATEST(u.last_active_at, d.last_seen_at, c.last_active_at) AS last_activity_at
  FROM intermediate.int_customers__core AS c
  LEFT JOIN mrr AS m
    ON m.customer_key = c.customer_key
  LEFT JOIN devices AS d
    ON d.customer_key = c.customer_key
  LEFT JOIN locations AS l
    ON l.customer_key = c.customer_key
  LEFT JOIN users AS u
    ON u.customer_key = c.customer_key
  LEFT JOIN features AS f
    ON f.customer_key = c.customer_key
  LEFT JOIN tickets AS t
    ON t.company_id = c.hubspot_company_id
  LEFT JOIN charges AS ch
    ON ch.customer_id = c.stripe_customer_id
), scored AS (
  SELECT
    *,
    (CASE WHEN last_activity_at IS NOT NULL THEN GREATEST(
      FLOOR(EXTRACT(EPOCH FROM (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') - last_activity_at) / 86400), 0
    ) END) AS days_since_last_activity,
    @calculate_customer_health_score(
      device_events_30d, active_devices, device_online_ratio, monthly_active_users, seats,
      features_adopted, features_available, delinquent, failed_payments_30d, support_tickets_30d
    ) AS health_score
  FROM metrics
)
SELECT
  /* ids */
  customer_key::TEXT AS customer_key,
  account_id::UUID AS account_id,
  stripe_customer_id::TEXT AS stripe_customer_id,
  hubspot_company_id::TEXT AS hubspot_company_id,
  /* attributes */
  account_name::TEXT AS account_name,
  industry::TEXT AS industry,
  company_size::TEXT AS company_size,
  country_code::TEXT AS country_code,
  plan::TEXT AS plan,
  billing_interval::TEXT AS billing_interval,
  seats::INT AS seats,
  account_status::TEXT AS status,
  signup_channel::TEXT AS signup_channel,
  utm_source::TEXT AS utm_source,
  utm_medium::TEXT AS utm_medium,
  utm_campaign::TEXT AS utm_campaign,
  currency::TEXT AS currency,
  has_app_account::BOOLEAN AS has_app_account,
  has_stripe_customer::BOOLEAN AS has_stripe_customer,
  has_hubspot_company::BOOLEAN AS has_hubspot_company,
  is_deleted::BOOLEAN AS is_deleted,
  delinquent::BOOLEAN AS is_delinquent,
  /* measures */
  mrr::NUMERIC(18, 2) AS monthly_recurring_revenue,
  (mrr * 12)::NUMERIC(18, 2) AS annual_recurring_revenue,
  active_subscriptions::INT AS active_subscriptions,
  device_events_30d::BIGINT AS device_events_30d,
  ROUND(device_online_ratio, 4)::NUMERIC(5, 4) AS device_online_ratio,
  total_locations::INT AS total_locations,
  total_devices::INT AS total_devices,
  active_devices::INT AS active_devices,
  monthly_active_users::INT AS monthly_active_users,
  features_adopted::INT AS features_adopted,
  features_available::INT AS features_available,
  support_tickets_30d::INT AS support_tickets_30d,
  failed_payments_30d::INT AS failed_payments_30d,
  days_since_last_activity::INT AS days_since_last_activity,
  health_score::NUMERIC(5, 2) AS customer_health_score,
  @calculate_churn_risk_score(
    account_status, device_events_30d, active_devices, days_since_last_activity, delinquent, health_score
  )::NUMERIC(5, 2) AS churn_risk_score,
  (CASE WHEN health_score >= 80 THEN 'healthy' WHEN health_score >= 60 THEN 'stable' ELSE 'at_risk' END)::TEXT
    AS health_band,
  /* timestamps */
  last_activity_at::TIMESTAMPTZ AS last_activity_at,
  trial_ends_at::TIMESTAMPTZ AS trial_ends_at,
  canceled_at::TIMESTAMPTZ AS canceled_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM scored
