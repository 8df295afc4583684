/* One row per version of an ad campaign's tracked settings: a new version starts whenever its
   name, status, daily budget or attributed utm changes in entity.entity_campaigns. SQLMesh
   maintains it as an SCD type 2 table (see int_customers__versions for the semantics). Read it
   through entity.entity_campaigns_history. */
MODEL (
  name intermediate.int_campaigns__versions,
  kind SCD_TYPE_2_BY_COLUMN (
    unique_key campaign_key,
    columns [campaign_name, campaign_status, daily_budget, utm_source, utm_campaign],
    invalidate_hard_deletes TRUE,
    time_data_type TIMESTAMPTZ
  ),
  grain (campaign_key, valid_from),
  audits (
    unique_combination_of_columns(columns := (campaign_key, valid_from)),
    not_null(columns := (campaign_key, platform, campaign_id, valid_from)),
    assert_non_negative(columns := (daily_budget))
  ),
  column_descriptions (
    campaign_key = '<platform>:<platform campaign id>',
    started_at = 'When the campaign started (not tracked)',
    valid_from = 'When the warehouse first saw this version (1970-01-01 for versions present at the first build)',
    valid_to = 'When the warehouse saw it replaced or deleted; NULL while current'
  )
);

SELECT
  /* ids */
  campaign_key::TEXT AS campaign_key,
  platform::TEXT AS platform,
  campaign_id::TEXT AS campaign_id,
  /* tracked attributes */
  campaign_name::TEXT AS campaign_name,
  campaign_status::TEXT AS campaign_status,
  daily_budget::NUMERIC(18, 2) AS daily_budget,
  utm_source::TEXT AS utm_source,
  utm_campaign::TEXT AS utm_campaign,
  /* timestamps */
  started_at::TIMESTAMPTZ AS started_at
FROM entity.entity_campaigns
