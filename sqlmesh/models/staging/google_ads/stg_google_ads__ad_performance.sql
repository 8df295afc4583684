/* One row per Google Ads ad and day (account time zone) with its latest restated metrics: Google
   revises recent days as conversions come in, so the newest extracted version wins. Spend is in
   currency units (costMicros / 10^6); conversions may be fractional. */
MODEL (
  name staging.stg_google_ads__ad_performance,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (ad_id, report_date)
  ),
  grain (ad_id, report_date),
  audits (
    unique_combination_of_columns(columns := (ad_id, report_date)),
    not_null(columns := (ad_id, campaign_id, report_date, impressions, clicks, spend, conversions))
  ),
  column_descriptions (
    ad_id = 'Google Ads ad id',
    report_date = 'Day of the metrics (segments.date)',
    spend = 'Cost in the account currency (metrics.costMicros / 10^6)',
    conversions = 'Conversions, app sign-ups among them (by click date)'
  )
);

WITH clean AS (
  SELECT * FROM raw_google_ads.ad_performance
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload -> 'adGroupAd' -> 'ad' ->> 'id')::TEXT AS ad_id,
  (payload -> 'adGroup' ->> 'id')::TEXT AS ad_group_id,
  (payload -> 'campaign' ->> 'id')::TEXT AS campaign_id,
  (payload -> 'segments' ->> 'date')::DATE AS report_date,
  (payload -> 'metrics' ->> 'impressions')::BIGINT AS impressions,
  (payload -> 'metrics' ->> 'clicks')::BIGINT AS clicks,
  ((payload -> 'metrics' ->> 'costMicros')::NUMERIC / 1000000)::NUMERIC(18, 6) AS spend,
  (payload -> 'metrics' ->> 'conversions')::NUMERIC AS conversions,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_id, report_date));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
