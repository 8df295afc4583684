/* One row per Meta campaign in its latest state. The campaign name is the utm_campaign of its
   clicks (fb_* on Facebook, ig_* on Instagram); status moves between ACTIVE and PAUSED as flights
   start and stop. Budgets are in currency units (cents / 100). */
MODEL (
  name staging.stg_meta_ads__campaigns,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key campaign_id
  ),
  grain campaign_id,
  audits (
    unique_values(columns := (campaign_id)),
    not_null(columns := (campaign_id, account_id, campaign_name, campaign_status, created_at, updated_at)),
    accepted_values(column := campaign_status, is_in := ('ACTIVE', 'PAUSED', 'DELETED', 'ARCHIVED'))
  ),
  column_descriptions (
    campaign_id = 'Meta campaign id',
    campaign_name = 'Campaign name; equals the utm_campaign of its clicks',
    campaign_status = 'Configured status: ACTIVE, PAUSED, DELETED or ARCHIVED',
    daily_budget = 'Daily budget in the account currency (daily_budget cents / 100)',
    updated_at = 'Last change of the campaign (updated_time), the incremental cursor'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.campaigns
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
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'name')::TEXT AS campaign_name,
  (payload ->> 'objective')::TEXT AS objective,
  (payload ->> 'status')::TEXT AS campaign_status,
  (payload ->> 'buying_type')::TEXT AS buying_type,
  ((payload ->> 'daily_budget')::NUMERIC / 100)::NUMERIC(18, 2) AS daily_budget,
  (payload ->> 'start_time')::TIMESTAMPTZ AS start_at,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updated_time')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (campaign_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
