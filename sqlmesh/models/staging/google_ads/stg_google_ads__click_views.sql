/* One row per Google Ads click that landed as an app sign-up: its gclid, campaign, ad group and
   ad, and what the landing page kept (UTM parameters, the app account). Attribution joins
   app_account_id to the app's accounts. */
MODEL (
  name staging.stg_google_ads__click_views,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key gclid
  ),
  grain gclid,
  audits (
    unique_values(columns := (gclid)),
    not_null(columns := (gclid, click_date, campaign_id, ad_id, app_account_id))
  ),
  column_descriptions (
    gclid = 'Google click id',
    click_date = 'Day of the click (segments.date)',
    clicked_at = 'Time of the click; landing.clickedAt is in the account time zone (Etc/GMT)',
    ad_id = 'Ad clicked (from the click_view.adGroupAd resource name)',
    app_account_id = 'App account the click signed up as (accounts.id)'
  )
);

WITH clean AS (
  SELECT * FROM raw_google_ads.click_views
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload -> 'clickView' ->> 'gclid')::TEXT AS gclid,
  (payload -> 'segments' ->> 'date')::DATE AS click_date,
  ((payload -> 'landing' ->> 'clickedAt')::TIMESTAMP AT TIME ZONE 'UTC')::TIMESTAMPTZ AS clicked_at,
  (payload -> 'campaign' ->> 'id')::TEXT AS campaign_id,
  (payload -> 'adGroup' ->> 'id')::TEXT AS ad_group_id,
  SPLIT_PART(payload -> 'clickView' ->> 'adGroupAd', '~', 2)::TEXT AS ad_id,
  (payload -> 'landing' ->> 'url')::TEXT AS landing_url,
  (payload -> 'landing' ->> 'utmSource')::TEXT AS utm_source,
  (payload -> 'landing' ->> 'utmMedium')::TEXT AS utm_medium,
  (payload -> 'landing' ->> 'utmCampaign')::TEXT AS utm_campaign,
  (payload -> 'landing' ->> 'appAccountId')::UUID AS app_account_id,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (gclid));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
