/* One row per LinkedIn creative and day with its latest restated analytics (adAnalytics,
   pivot CREATIVE, DAILY): LinkedIn revises recent days as conversions come in, so the newest
   extracted version wins. Spend is costInLocalCurrency (a decimal string) in the account currency. */
MODEL (
  name staging.stg_linkedin_ads__creative_analytics,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (creative_id, report_date)
  ),
  grain (creative_id, report_date),
  audits (
    unique_combination_of_columns(columns := (creative_id, report_date)),
    not_null(columns := (creative_id, report_date, impressions, clicks, spend, conversions))
  ),
  column_descriptions (
    creative_id = 'LinkedIn creative id (from pivotValues)',
    report_date = 'Day of the metrics (dateRange.start)',
    spend = 'costInLocalCurrency, in the account currency',
    conversions = 'externalWebsiteConversions, app sign-ups among them'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.creative_analytics
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  SPLIT_PART(payload -> 'pivotValues' ->> 0, ':', 4)::TEXT AS creative_id,
  MAKE_DATE(
    (payload -> 'dateRange' -> 'start' ->> 'year')::INT,
    (payload -> 'dateRange' -> 'start' ->> 'month')::INT,
    (payload -> 'dateRange' -> 'start' ->> 'day')::INT
  )::DATE AS report_date,
  (payload ->> 'impressions')::BIGINT AS impressions,
  (payload ->> 'clicks')::BIGINT AS clicks,
  (payload ->> 'landingPageClicks')::BIGINT AS landing_page_clicks,
  (payload ->> 'costInLocalCurrency')::NUMERIC(18, 6) AS spend,
  (payload ->> 'externalWebsiteConversions')::BIGINT AS conversions,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (creative_id, report_date));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
