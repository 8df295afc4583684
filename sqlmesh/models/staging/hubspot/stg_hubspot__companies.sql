/* One row per HubSpot company in its latest clean version: the app's customer accounts
   (app_account_id set, synced from the product), prospects sales works that have no account, and
   archived duplicates. */
MODEL (
  name staging.stg_hubspot__companies,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key company_id
  ),
  grain company_id,
  audits (
    unique_values(columns := (company_id)),
    not_null(columns := (company_id, company_name, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    company_id = 'HubSpot company id',
    app_account_id = 'App account id (uuid): the customer key across sources; null for prospects and duplicates',
    industry = 'HubSpot industry: FOOD_BEVERAGES (bars), RESTAURANTS, WINE_AND_SPIRITS (breweries), HOSPITALITY, ENTERTAINMENT, EVENTS_SERVICES',
    lifecycle_stage = 'lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer or other (churned)',
    owner_id = 'Owning sales rep (stg_hubspot__owners)',
    analytics_source = 'Original source: ORGANIC_SEARCH, PAID_SEARCH, PAID_SOCIAL, EMAIL_MARKETING, REFERRALS, OFFLINE, OTHER_CAMPAIGNS',
    app_plan = 'The account''s plan as last synced from the app',
    is_deleted = 'Archived in HubSpot (merged duplicates)'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.companies
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS company_id,
  (payload -> 'properties' ->> 'name')::TEXT AS company_name,
  LOWER(payload -> 'properties' ->> 'domain')::TEXT AS domain,
  (payload -> 'properties' ->> 'industry')::TEXT AS industry,
  (payload -> 'properties' ->> 'numberofemployees')::INT AS employee_count,
  (payload -> 'properties' ->> 'country')::TEXT AS country,
  (payload -> 'properties' ->> 'city')::TEXT AS city,
  (payload -> 'properties' ->> 'lifecyclestage')::TEXT AS lifecycle_stage,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_analytics_source')::TEXT AS analytics_source,
  (payload -> 'properties' ->> 'app_account_id')::UUID AS app_account_id,
  (payload -> 'properties' ->> 'app_plan')::TEXT AS app_plan,
  (payload -> 'properties' ->> 'app_billing_interval')::TEXT AS app_billing_interval,
  (payload -> 'properties' ->> 'app_seats')::INT AS app_seats,
  (payload -> 'properties' ->> 'app_status')::TEXT AS app_status,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'archivedAt')::TIMESTAMPTZ AS archived_at,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (company_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
