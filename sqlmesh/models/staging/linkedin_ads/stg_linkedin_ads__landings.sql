/* One row per LinkedIn ad click that landed as an app sign-up, as the landing page recorded it
   (li_fat_id click id, the creative, the UTM parameters, the app account). Attribution joins
   app_account_id to the app's accounts. */
MODEL (
  name staging.stg_linkedin_ads__landings,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key landing_id
  ),
  grain landing_id,
  audits (
    unique_values(columns := (landing_id)),
    not_null(columns := (landing_id, click_id, clicked_at, campaign_id, creative_id, app_account_id))
  ),
  column_descriptions (
    landing_id = 'Landing record id',
    click_id = 'LinkedIn click id (li_fat_id in the landing URL)',
    app_account_id = 'App account the click signed up as (accounts.id)'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.landings
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS landing_id,
  (payload ->> 'clickId')::TEXT AS click_id,
  TO_TIMESTAMP((payload ->> 'clickedAt')::BIGINT / 1000.0)::TIMESTAMPTZ AS clicked_at,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  SPLIT_PART(payload ->> 'campaign', ':', 4)::TEXT AS campaign_id,
  SPLIT_PART(payload ->> 'creative', ':', 4)::TEXT AS creative_id,
  (payload ->> 'url')::TEXT AS landing_url,
  (payload ->> 'utmSource')::TEXT AS utm_source,
  (payload ->> 'utmMedium')::TEXT AS utm_medium,
  (payload ->> 'utmCampaign')::TEXT AS utm_campaign,
  (payload ->> 'appAccountId')::UUID AS app_account_id,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (landing_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
