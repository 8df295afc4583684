/* One row per LinkedIn campaign group in its latest state: the level above campaigns that groups
   them by audience. */
MODEL (
  name staging.stg_linkedin_ads__campaign_groups,
  kind FULL,
  grain campaign_group_id,
  audits (
    unique_values(columns := (campaign_group_id)),
    not_null(columns := (campaign_group_id, ad_account_id, campaign_group_name, campaign_group_status, created_at))
  ),
  column_descriptions (
    campaign_group_id = 'LinkedIn campaign group id (urn:li:sponsoredCampaignGroup:<id>)',
    ad_account_id = 'Ad account id, from the account URN'
  )
);

WITH clean AS (
  SELECT * FROM raw_linkedin_ads.campaign_groups WHERE CARDINALITY(_flags) = 0
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS campaign_group_id,
  SPLIT_PART(payload ->> 'account', ':', 4)::TEXT AS ad_account_id,
  (payload ->> 'name')::TEXT AS campaign_group_name,
  (payload ->> 'status')::TEXT AS campaign_group_status,
  (payload ->> 'test')::BOOLEAN AS is_test,
  TO_TIMESTAMP((payload -> 'runSchedule' ->> 'start')::BIGINT / 1000.0)::TIMESTAMPTZ AS run_start_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'created' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS created_at,
  TO_TIMESTAMP((payload -> 'changeAuditStamps' -> 'lastModified' ->> 'time')::BIGINT / 1000.0)::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest
