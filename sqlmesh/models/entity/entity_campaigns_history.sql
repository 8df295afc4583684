/* One row per version of an ad campaign: name, status, daily budget and attributed utm over a
   validity window [valid_from, valid_to). Windows of a campaign tile time without gap or overlap;
   the open one (valid_to NULL, is_current) is its state now. Built on the SCD type 2 table
   intermediate.int_campaigns__versions, the same way as entity_customers_history: the first
   version reaches back to the campaign's start; a campaign gone from its platform gets a closing
   'hard_deleted' row. */
MODEL (
  name entity.entity_campaigns_history,
  kind VIEW,
  grain (campaign_key, valid_from),
  audits (
    unique_combination_of_columns(columns := (campaign_key, valid_from)),
    not_null(columns := (campaign_key, version_number, platform, campaign_id, is_deleted, valid_from, is_current, change_reason)),
    assert_non_negative(columns := (daily_budget)),
    assert_one_current_row(key := campaign_key),
    assert_contiguous_history(key := campaign_key)
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id>',
    version_number = '1 for the first known version, counting up',
    is_deleted = 'Gone from the platform in this version',
    is_current = 'The version valid now (valid_to IS NULL); exactly one per campaign',
    change_reason = 'created, first_seen, hard_deleted, restored, or the comma-separated tracked columns that changed: campaign_name, campaign_status, daily_budget, utm_source, utm_campaign',
    valid_from = 'Start of the window (inclusive)',
    valid_to = 'End of the window (exclusive); NULL while current'
  )
);

WITH versions AS (
  SELECT
    *,
    ROW_NUMBER() OVER w AS version_seq,
    LAG(campaign_name) OVER w AS prev_campaign_name,
    LAG(campaign_status) OVER w AS prev_campaign_status,
    LAG(daily_budget) OVER w AS prev_daily_budget,
    LAG(utm_source) OVER w AS prev_utm_source,
    LAG(utm_campaign) OVER w AS prev_utm_campaign,
    LAG(valid_to) OVER w AS prev_valid_to,
    LEAD(valid_from) OVER w AS next_valid_from
  FROM intermediate.int_campaigns__versions
  WINDOW w AS (PARTITION BY campaign_key ORDER BY valid_from)
), windows AS (
  SELECT
    campaign_key,
    platform,
    campaign_id,
    campaign_name,
    campaign_status,
    daily_budget,
    utm_source,
    utm_campaign,
    FALSE AS is_deleted,
    CASE
      WHEN version_seq > 1 THEN valid_from
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ AND started_at IS NOT NULL
        AND (valid_to IS NULL OR started_at < valid_to) THEN started_at
      WHEN valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN valid_from
      ELSE LEAST(COALESCE(started_at, valid_from), valid_from)
    END AS valid_from,
    valid_to,
    CASE
      WHEN version_seq = 1 AND valid_from = '1970-01-01 00:00:00+00'::TIMESTAMPTZ THEN 'first_seen'
      WHEN version_seq = 1 THEN 'created'
      WHEN prev_valid_to < valid_from THEN 'restored'
      ELSE NULLIF(
        ARRAY_TO_STRING(
          ARRAY[
            CASE WHEN campaign_name IS DISTINCT FROM prev_campaign_name THEN 'campaign_name' END,
            CASE WHEN campaign_status IS DISTINCT FROM prev_campaign_status THEN 'campaign_status' END,
            CASE WHEN daily_budget IS DISTINCT FROM prev_daily_budget THEN 'daily_budget' END,
            CASE WHEN utm_source IS DISTINCT FROM prev_utm_source THEN 'utm_source' END,
            CASE WHEN utm_campaign IS DISTINCT FROM prev_utm_campaign THEN 'utm_campaign' END
          ],
          ', '
        ),
        ''
      )
    END AS change_reason
  FROM versions
  UNION ALL
  SELECT
    campaign_key,
    platform,
    campaign_id,
    campaign_name,
    campaign_status,
    daily_budget,
    utm_source,
    utm_campaign,
    TRUE AS is_deleted,
    valid_to AS valid_from,
    next_valid_from AS valid_to,
    'hard_deleted' AS change_reason
  FROM versions
  WHERE
    valid_to IS NOT NULL AND (next_valid_from IS NULL OR next_valid_from > valid_to)
)
SELECT
  /* ids */
  campaign_key::TEXT AS campaign_key,
  ROW_NUMBER() OVER (PARTITION BY campaign_key ORDER BY valid_from)::INT AS version_number,
  platform::TEXT AS platform,
  campaign_id::TEXT AS campaign_id,
  /* attributes */
  campaign_name::TEXT AS campaign_name,
  campaign_status::TEXT AS campaign_status,
  daily_budget::NUMERIC(18, 2) AS daily_budget,
  utm_source::TEXT AS utm_source,
  utm_campaign::TEXT AS utm_campaign,
  is_deleted::BOOLEAN AS is_deleted,
  (valid_to IS NULL)::BOOLEAN AS is_current,
  COALESCE(change_reason, 'unchanged')::TEXT AS change_reason,
  /* timestamps */
  valid_from::TIMESTAMPTZ AS valid_from,
  valid_to::TIMESTAMPTZ AS valid_to
FROM windows
