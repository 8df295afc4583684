/* One row per LinkedIn sponsored ad account the token can read, in its latest state. */
MODEL (
  name staging.stg_linkedin_ads__ad_accounts,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ad_account_id
  ),
  grain ad_account_id,
  audits (
    unique_values(columns := (ad_account_id)),
    not_null(columns := (ad_account_id, account_name, currency, account_status, created_at, updated_at))
  ),
  column_descriptions (
    ad_account_id = 'LinkedIn ad account id (urn:li:sponsoredAccount:<id>)',
    organization_urn = 'The company page (urn:li:organization) the account advertises for',
    currency = 'Currency of costInLocalCurrency and budgets'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.ad_accounts
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
  (payload ->> 'name')::TEXT AS account_name,
  (payload ->> 'currency')::TEXT AS currency,
  (payload ->> 'status')::TEXT AS account_status,
  (payload ->> 'type')::TEXT AS account_type,
  (payload ->> 'reference')::TEXT AS organization_urn,
  (payload ->> 'test')::BOOLEAN AS is_test,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'created' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'lastModified' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_account_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
