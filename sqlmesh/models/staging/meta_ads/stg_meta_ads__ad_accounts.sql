/* One row per Meta ad account the token can read, in its latest state. */
MODEL (
  name staging.stg_meta_ads__ad_accounts,
  kind FULL,
  grain ad_account_id,
  audits (
    unique_values(columns := (ad_account_id)),
    not_null(columns := (ad_account_id, account_id, account_name, currency, created_at))
  ),
  column_descriptions (
    ad_account_id = 'Graph API node id, act_<account_id>',
    account_id = 'Numeric ad account id, as the other Meta objects carry it',
    account_status = '1 active, 2 disabled, 3 unsettled, ...',
    currency = 'Currency of spend and budgets'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.ad_accounts WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS ad_account_id,
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'name')::TEXT AS account_name,
  (payload ->> 'currency')::TEXT AS currency,
  (payload ->> 'timezone_name')::TEXT AS timezone_name,
  (payload ->> 'account_status')::INT AS account_status,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
