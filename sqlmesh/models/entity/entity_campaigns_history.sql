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

/* Windows and change reasons: @history_windows (macros/history_windows.py). */
WITH windows AS (
  @history_windows(
    intermediate.int_campaigns__versions,
    campaign_key,
    columns := [platform, campaign_id, campaign_name, campaign_status, daily_budget, utm_source, utm_campaign],
    tracked := [campaign_name, campaign_status, daily_budget, utm_source, utm_campaign],
    born_at := started_at
  )
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
