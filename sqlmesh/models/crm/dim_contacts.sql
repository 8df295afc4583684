/* One row per HubSpot contact (archived ones kept, is_deleted true), with the account it belongs
   to (company_id and the company's name and category from crm.dim_accounts).
     seniority           from the job title (@crm_seniority, macros/crm_rules.py), first match wins:
                         C-level (CEO, CFO, COO, CTO, CMO, CIO, Chief, Founder, Owner, President,
                         Managing Director), VP (VP, SVP, EVP, Vice President), director (Director),
                         individual contributor (Assistant ...), manager (Manager, Head, Lead,
                         Supervisor); otherwise individual contributor
     contact_status      archived (archived in HubSpot), customer (lifecycle customer), churned
                         (lifecycle other: the account canceled), opportunity, or lead (lead,
                         marketing- or sales-qualified lead, or no stage)
     is_primary_contact  the account's main contact: among its contacts not archived, the one on the
                         most of its deals, then the earliest created (then the lowest id); one per
                         company at most */
MODEL (
  name crm.dim_contacts,
  kind FULL,
  owner sales_analytics,
  grain contact_id,
  audits (
    unique_values(columns := (contact_id)),
    not_null(columns := (contact_id, seniority, contact_status, is_primary_contact, is_app_user, is_deleted, deals, created_at)),
    accepted_values(column := seniority, is_in := ('C-level', 'VP', 'director', 'manager', 'individual contributor')),
    accepted_values(column := contact_status, is_in := ('archived', 'customer', 'churned', 'opportunity', 'lead')),
    assert_non_negative(columns := (deals))
  ),
  column_descriptions (
    contact_id = 'HubSpot contact id',
    company_id = 'The account (crm.dim_accounts); NULL for archived contacts (archiving drops associations)',
    app_user_id = 'App user id (uuid) for customers'' owners and admins; NULL for prospects',
    email = 'Email, lower-cased (PII)',
    full_name = 'First and last name (PII)',
    job_title = 'Free-text job title',
    seniority = 'C-level, VP, director, manager or individual contributor, from job_title (see the model comment)',
    contact_status = 'archived, customer, churned, opportunity or lead (see the model comment)',
    lifecycle_stage = 'HubSpot lifecycle stage',
    lead_status = 'Prospects'' HubSpot lead status (NEW, OPEN, IN_PROGRESS, ...)',
    account_name = 'The account''s company name',
    account_category = 'The account''s category (crm.dim_accounts)',
    is_primary_contact = 'The account''s main contact (on most of its deals, then earliest created)',
    is_app_user = 'The contact is an app user (an owner or admin of a customer account)',
    deals = 'Deals the contact is the contact of (not archived)',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH deals AS (
  SELECT contact_id, company_id, COUNT(*) AS deals
  FROM staging.stg_hubspot__deals
  WHERE NOT COALESCE(is_deleted, FALSE) AND contact_id IS NOT NULL
  GROUP BY 1, 2
), ranked AS (
  SELECT
    c.*,
    COALESCE(d.deals, 0) AS deal_count,
    (CASE WHEN NOT c.is_deleted AND c.company_id IS NOT NULL THEN ROW_NUMBER() OVER (
      PARTITION BY c.company_id, c.is_deleted
      ORDER BY COALESCE(d.deals, 0) DESC, c.created_at, c.contact_id
    ) END) AS primary_rank
  FROM staging.stg_hubspot__contacts AS c
  LEFT JOIN deals AS d
    ON d.contact_id = c.contact_id AND d.company_id = c.company_id
)
SELECT
  /* ids */
  r.contact_id::TEXT AS contact_id,
  r.company_id::TEXT AS company_id,
  r.app_user_id::UUID AS app_user_id,
  r.owner_id::TEXT AS owner_id,
  /* attributes */
  r.email::TEXT AS email,
  NULLIF(TRIM(COALESCE(r.first_name, '') || ' ' || COALESCE(r.last_name, '')), '')::TEXT AS full_name,
  r.job_title::TEXT AS job_title,
  @crm_seniority(r.job_title)::TEXT AS seniority,
  (CASE
    WHEN r.is_deleted THEN 'archived'
    WHEN r.lifecycle_stage = 'customer' THEN 'customer'
    WHEN r.lifecycle_stage = 'other' THEN 'churned'
    WHEN r.lifecycle_stage = 'opportunity' THEN 'opportunity'
    ELSE 'lead'
  END)::TEXT AS contact_status,
  r.lifecycle_stage::TEXT AS lifecycle_stage,
  r.lead_status::TEXT AS lead_status,
  r.country::TEXT AS country,
  r.analytics_source::TEXT AS analytics_source,
  r.utm_campaign::TEXT AS utm_campaign,
  a.company_name::TEXT AS account_name,
  a.account_category::TEXT AS account_category,
  COALESCE(r.primary_rank = 1, FALSE)::BOOLEAN AS is_primary_contact,
  (r.app_user_id IS NOT NULL)::BOOLEAN AS is_app_user,
  r.is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  r.deal_count::INT AS deals,
  /* timestamps */
  r.created_at::TIMESTAMPTZ AS created_at,
  r.updated_at::TIMESTAMPTZ AS updated_at
FROM ranked AS r
LEFT JOIN crm.dim_accounts AS a
  ON a.company_id = r.company_id
