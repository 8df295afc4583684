/* One row per Meta ad and day (account time zone) with its latest restated insights: Meta revises
   recent days as conversions come in, so the newest extracted version wins. Numbers arrive as
   strings; conversions are the pixel's lead actions (app sign-ups among them). */
MODEL (
  name staging.stg_meta_ads__ad_insights,
  kind FULL,
  grain (ad_id, report_date),
  audits (
    unique_combination_of_columns(columns := (ad_id, report_date)),
    not_null(columns := (ad_id, campaign_id, report_date, impressions, clicks, spend, conversions))
  ),
  column_descriptions (
    ad_id = 'Meta ad id',
    report_date = 'Day of the metrics (date_start; time_increment=1)',
    spend = 'Spend in the account currency',
    link_clicks = 'link_click actions',
    conversions = 'offsite_conversion.fb_pixel_lead actions, app sign-ups among them'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.ad_insights WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (latest.payload ->> 'ad_id')::TEXT AS ad_id,
  (latest.payload ->> 'adset_id')::TEXT AS adset_id,
  (latest.payload ->> 'campaign_id')::TEXT AS campaign_id,
  (latest.payload ->> 'account_id')::TEXT AS account_id,
  (latest.payload ->> 'campaign_name')::TEXT AS campaign_name,
  (latest.payload ->> 'date_start')::DATE AS report_date,
  (latest.payload ->> 'impressions')::BIGINT AS impressions,
  (latest.payload ->> 'clicks')::BIGINT AS clicks,
  (latest.payload ->> 'spend')::NUMERIC(18, 2) AS spend,
  COALESCE(actions.link_clicks, 0)::BIGINT AS link_clicks,
  COALESCE(actions.conversions, 0)::BIGINT AS conversions,
  latest._extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
LEFT JOIN LATERAL (
  SELECT
    SUM((action ->> 'value')::BIGINT) FILTER (WHERE action ->> 'action_type' = 'link_click') AS link_clicks,
    SUM((action ->> 'value')::BIGINT) FILTER (WHERE action ->> 'action_type' = 'offsite_conversion.fb_pixel_lead') AS conversions
  FROM JSONB_ARRAY_ELEMENTS(latest.payload -> 'actions') AS action
) AS actions ON TRUE
