/* One row per customer account as the app database holds it now: the latest extracted version of
   each account, soft-deleted ones flagged, hard-deleted ones gone. */
MODEL (
  name staging.stg_app__accounts,
  kind FULL,
  grain account_id,
  audits (
    unique_values(columns := (account_id)),
    not_null(columns := (account_id, account_name, plan, billing_interval, seats, account_status, created_at, updated_at)),
    accepted_values(column := account_status, is_in := ('trialing', 'active', 'past_due', 'canceled'))
  ),
  column_descriptions (
    account_id = 'App account id (uuid); the customer key across sources',
    plan = 'Subscription tier: starter, growth, pro or enterprise',
    billing_interval = 'month, quarter or year',
    seats = 'Licensed seats (the subscription quantity)',
    account_status = 'trialing, active, past_due or canceled',
    is_deleted = 'Soft-deleted in the app (deleted_at set)'
  )
);

WITH latest AS (
  @deduplicate(raw_app.accounts, [id], ['_extracted_at DESC', 'updated_at DESC NULLS LAST'])
)
SELECT
  id::UUID AS account_id,
  name::TEXT AS account_name,
  domain::TEXT AS domain,
  industry::TEXT AS industry,
  company_size::TEXT AS company_size,
  country::TEXT AS country_code,
  timezone::TEXT AS timezone,
  plan::TEXT AS plan,
  billing_interval::TEXT AS billing_interval,
  seats::INT AS seats,
  status::TEXT AS account_status,
  signup_channel::TEXT AS signup_channel,
  utm_source::TEXT AS utm_source,
  utm_medium::TEXT AS utm_medium,
  utm_campaign::TEXT AS utm_campaign,
  (deleted_at IS NOT NULL)::BOOLEAN AS is_deleted,
  trial_ends_at::TIMESTAMPTZ AS trial_ends_at,
  status_changed_at::TIMESTAMPTZ AS status_changed_at,
  canceled_at::TIMESTAMPTZ AS canceled_at,
  last_active_at::TIMESTAMPTZ AS last_active_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at,
  deleted_at::TIMESTAMPTZ AS deleted_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
WHERE NOT _deleted
