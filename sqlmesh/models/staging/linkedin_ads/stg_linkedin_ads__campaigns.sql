/* One row per LinkedIn campaign in its latest state. The campaign name is the utm_campaign of its
   clicks; status moves between ACTIVE and PAUSED as flights start and stop. Budgets and bids are
   in currency units (LinkedIn sends them as decimal strings). */
MODEL (
  name staging.stg_linkedin_ads__campaigns,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key campaign_id
  ),
  grain campaign_id,
  audits (
    unique_values(columns := (campaign_id)),
    not_null(columns := (campaign_id, ad_account_id, campaign_group_id, campaign_name, campaign_status, created_at, updated_at)),
    accepted_values(column := campaign_status, is_in := ('ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'DRAFT'))
  ),
  column_descriptions (
    campaign_id = 'LinkedIn campaign id (urn:li:sponsoredCampaign:<id>)',
    campaign_name = 'Campaign name; equals the utm_campaign of its clicks',
    daily_budget = 'Daily budget in currency_code',
    unit_cost = 'Bid per click (costType CPC) in currency_code',
    updated_at = 'Last change (changeAuditStamps.lastModified)'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.campaigns
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS campaign_id,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  SPLIT_PART(payload ->> 'campaignGroup', ':', 4)::TEXT AS campaign_group_id,
  (payload ->> 'name')::TEXT AS campaign_name,
  (payload ->> 'status')::TEXT AS campaign_status,
  (payload ->> 'type')::TEXT AS campaign_type,
  (payload ->> 'costType')::TEXT AS cost_type,
  (payload ->> 'objectiveType')::TEXT AS objective_type,
  (payload -> 'dailyBudget' ->> 'amount')::NUMERIC(18, 2) AS daily_budget,
  (payload -> 'unitCost' ->> 'amount')::NUMERIC(18, 2) AS unit_cost,
  (payload -> 'dailyBudget' ->> 'currencyCode')::TEXT AS currency_code,
  TO_TIMESTAMP((payload -> 'runSchedule' ->> 'start')::BIGINT / 1000.0)::TIMESTAMPTZ AS run_start_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'created' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'lastModified' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (campaign_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
