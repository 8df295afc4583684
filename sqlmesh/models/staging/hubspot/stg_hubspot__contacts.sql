/* One row per HubSpot contact in its latest clean version: the customers' owners and admins
   (app_user_id set; archived when the app user is deleted) and prospects' people. The UTM
   parameters come from the first page the contact landed on, for attribution to campaigns. */
MODEL (
  name staging.stg_hubspot__contacts,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key contact_id
  ),
  grain contact_id,
  audits (
    unique_values(columns := (contact_id)),
    not_null(columns := (contact_id, email, is_deleted, created_at, updated_at))
  ),
  column_descriptions (
    contact_id = 'HubSpot contact id',
    company_id = 'The associated company (stg_hubspot__companies); null for archived contacts',
    email = 'Email, lower-cased (PII)',
    first_name = 'PII',
    last_name = 'PII',
    job_title = 'Free-text job title (CEO, VP Sales, Bar Manager, Bartender ...)',
    app_user_id = 'App user id (uuid); null for prospects',
    lead_status = 'Prospects only: NEW, OPEN, IN_PROGRESS, ATTEMPTED_TO_CONTACT, CONNECTED, UNQUALIFIED, BAD_TIMING',
    analytics_source = 'Original source (ORGANIC_SEARCH, PAID_SEARCH, PAID_SOCIAL, EMAIL_MARKETING, REFERRALS, OFFLINE ...)',
    analytics_source_detail_1 = 'Source drill-down 1: the utm_source, or INTEGRATION for contacts the app sync created',
    analytics_source_detail_2 = 'Source drill-down 2: the utm_campaign',
    utm_campaign = 'utm_campaign of the first page seen; joins the ad platforms'' campaigns',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.contacts
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS contact_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  LOWER(payload -> 'properties' ->> 'email')::TEXT AS email,
  (payload -> 'properties' ->> 'firstname')::TEXT AS first_name,
  (payload -> 'properties' ->> 'lastname')::TEXT AS last_name,
  (payload -> 'properties' ->> 'jobtitle')::TEXT AS job_title,
  (payload -> 'properties' ->> 'company')::TEXT AS company_name,
  (payload -> 'properties' ->> 'country')::TEXT AS country,
  (payload -> 'properties' ->> 'lifecyclestage')::TEXT AS lifecycle_stage,
  (payload -> 'properties' ->> 'hs_lead_status')::TEXT AS lead_status,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_analytics_source')::TEXT AS analytics_source,
  (payload -> 'properties' ->> 'hs_analytics_source_data_1')::TEXT AS analytics_source_detail_1,
  (payload -> 'properties' ->> 'hs_analytics_source_data_2')::TEXT AS analytics_source_detail_2,
  (payload -> 'properties' ->> 'hs_analytics_first_url')::TEXT AS first_page_url,
  SUBSTRING(payload -> 'properties' ->> 'hs_analytics_first_url' FROM 'utm_source=([^&]+)')::TEXT AS utm_source,
  SUBSTRING(payload -> 'properties' ->> 'hs_analytics_first_url' FROM 'utm_medium=([^&]+)')::TEXT AS utm_medium,
  SUBSTRING(payload -> 'properties' ->> 'hs_analytics_first_url' FROM 'utm_campaign=([^&]+)')::TEXT AS utm_campaign,
  (payload -> 'properties' ->> 'app_user_id')::UUID AS app_user_id,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'archivedAt')::TIMESTAMPTZ AS archived_at,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (contact_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
