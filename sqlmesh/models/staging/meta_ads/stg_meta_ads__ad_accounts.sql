/* One row per Meta ad account the token can read, in its latest state. */
MODEL (
  name staging.stg_meta_ads__ad_accounts,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ad_account_id
  ),
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
  SELECT * FROM raw_meta_ads.ad_accounts
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
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
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_account_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
