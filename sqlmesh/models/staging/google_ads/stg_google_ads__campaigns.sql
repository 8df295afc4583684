/* One row per Google Ads campaign in its latest state. The campaign name is the utm_campaign its
   clicks carry, so app accounts join on it; status moves between ENABLED and PAUSED as flights
   start and stop. Budgets are in currency units (micros / 10^6). */
MODEL (
  name staging.stg_google_ads__campaigns,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key campaign_id
  ),
  grain campaign_id,
  audits (
    unique_values(columns := (campaign_id)),
    not_null(columns := (campaign_id, customer_id, campaign_name, campaign_status)),
    accepted_values(column := campaign_status, is_in := ('ENABLED', 'PAUSED', 'REMOVED'))
  ),
  column_descriptions (
    campaign_id = 'Google Ads campaign id',
    customer_id = 'Google Ads customer (ad account) id',
    campaign_name = 'Campaign name; equals the utm_campaign of its clicks',
    campaign_status = 'ENABLED, PAUSED or REMOVED',
    daily_budget = 'Daily budget in the account currency (campaignBudget.amountMicros / 10^6)',
    start_date = 'First serving day, in the account time zone'
  )
);

WITH clean AS (
  SELECT * FROM raw_google_ads.campaigns
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload -> 'campaign' ->> 'id')::TEXT AS campaign_id,
  (payload -> 'customer' ->> 'id')::TEXT AS customer_id,
  (payload -> 'customer' ->> 'descriptiveName')::TEXT AS customer_name,
  (payload -> 'customer' ->> 'currencyCode')::TEXT AS currency_code,
  (payload -> 'customer' ->> 'timeZone')::TEXT AS time_zone,
  (payload -> 'campaign' ->> 'name')::TEXT AS campaign_name,
  (payload -> 'campaign' ->> 'status')::TEXT AS campaign_status,
  (payload -> 'campaign' ->> 'advertisingChannelType')::TEXT AS advertising_channel_type,
  (payload -> 'campaign' ->> 'biddingStrategyType')::TEXT AS bidding_strategy_type,
  (payload -> 'campaign' ->> 'startDate')::DATE AS start_date,
  (payload -> 'campaign' ->> 'endDate')::DATE AS end_date,
  ((payload -> 'campaignBudget' ->> 'amountMicros')::NUMERIC / 1000000)::NUMERIC(18, 6) AS daily_budget,
  (payload -> 'campaign' ->> 'resourceName')::TEXT AS resource_name,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (campaign_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
