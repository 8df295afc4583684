/* One row per HubSpot support ticket (archived ones kept, is_deleted true), with its resolution
   time and SLA, linked to the account (company_id, customer_key).
   SLA targets per priority (@crm_first_reply_target_hours / @crm_resolution_target_hours in
   macros/crm_rules.py): first agent reply URGENT 1 h, HIGH 2 h, MEDIUM 8 h, LOW 24 h; resolution
   URGENT 24 h, HIGH 48 h, MEDIUM 72 h, LOW 120 h.
     first_reply_sla_met / resolution_sla_met  TRUE when done within the target, FALSE when done late
                        or still not done after the target has passed, NULL while not done and
                        still within it
     sla_status         breached (either SLA FALSE), met (both TRUE) or pending (otherwise)
     priority_score     0-100 (@crm_priority_score): URGENT 100, HIGH 75, MEDIUM 50, LOW 25
     resolution_hours   creation to close, hours; NULL while open */
MODEL (
  name crm.fact_tickets,
  kind FULL,
  owner customer_success,
  grain ticket_id,
  audits (
    unique_values(columns := (ticket_id)),
    not_null(columns := (
      ticket_id, priority, priority_score, stage_id, is_closed, is_deleted, first_reply_target_hours,
      resolution_target_hours, sla_status, created_at
    )),
    accepted_values(column := sla_status, is_in := ('met', 'breached', 'pending')),
    accepted_values(column := priority, is_in := ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
    assert_in_range(columns := (priority_score)),
    assert_non_negative(columns := (first_reply_hours, resolution_hours, age_hours))
  ),
  column_descriptions (
    ticket_id = 'HubSpot ticket id',
    company_id = 'The ticket''s company (crm.dim_accounts)',
    contact_id = 'The ticket''s contact (crm.dim_contacts)',
    owner_id = 'The support agent (HubSpot owner id)',
    customer_key = 'The customer (intermediate.int_customers__core): app account id, else hubspot:<company id>',
    priority = 'LOW, MEDIUM, HIGH or URGENT',
    priority_score = '0-100: URGENT 100, HIGH 75, MEDIUM 50, LOW 25 (@crm_priority_score)',
    category = 'PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST or GENERAL_INQUIRY',
    source_type = 'EMAIL, CHAT, PHONE or FORM',
    stage_id = 'Support pipeline stage id',
    stage_label = 'New, Waiting on contact, Waiting on us or Closed',
    is_closed = 'The ticket is in a closed stage',
    first_reply_hours = 'Hours from creation to the first agent reply; NULL while unanswered',
    resolution_hours = 'Hours from creation to close; NULL while open',
    age_hours = 'Hours from creation to close, or to now while open',
    first_reply_target_hours = 'First agent reply SLA: URGENT 1, HIGH 2, MEDIUM 8, LOW 24 hours',
    resolution_target_hours = 'Resolution SLA: URGENT 24, HIGH 48, MEDIUM 72, LOW 120 hours',
    first_reply_sla_met = 'Replied within the target; FALSE if late or unanswered past it; NULL while unanswered within it',
    resolution_sla_met = 'Closed within the target; FALSE if late or open past it; NULL while open within it',
    sla_status = 'breached (either SLA missed), met (both met) or pending',
    first_reply_at = 'First agent reply',
    closed_at = 'When the ticket was closed; NULL while open',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH tickets AS (
  SELECT
    t.*,
    c.customer_key,
    p.stage_label,
    COALESCE(p.is_closed, t.closed_at IS NOT NULL) AS closed,
    @crm_first_reply_target_hours(t.priority) AS reply_target,
    @crm_resolution_target_hours(t.priority) AS resolve_target,
    @crm_hours_between(t.created_at, t.first_agent_reply_at) AS reply_hours,
    @crm_hours_between(t.created_at, t.closed_at) AS close_hours,
    @crm_hours_between(t.created_at, @execution_ts::TIMESTAMP AT TIME ZONE 'UTC') AS open_hours
  FROM staging.stg_hubspot__tickets AS t
  LEFT JOIN staging.stg_hubspot__companies AS co
    ON co.company_id = t.company_id
  LEFT JOIN intermediate.int_customers__core AS c
    ON c.customer_key = COALESCE(co.app_account_id::TEXT, 'hubspot:' || t.company_id)
  LEFT JOIN staging.stg_hubspot__ticket_pipelines AS p
    ON p.pipeline_id = t.pipeline_id AND p.stage_id = t.pipeline_stage_id
), sla AS (
  SELECT
    *,
    (CASE WHEN reply_hours IS NOT NULL THEN reply_hours <= reply_target
      WHEN open_hours > reply_target THEN FALSE END) AS reply_met,
    (CASE WHEN close_hours IS NOT NULL THEN close_hours <= resolve_target
      WHEN open_hours > resolve_target THEN FALSE END) AS resolve_met
  FROM tickets
)
SELECT
  /* ids */
  ticket_id::TEXT AS ticket_id,
  company_id::TEXT AS company_id,
  contact_id::TEXT AS contact_id,
  owner_id::TEXT AS owner_id,
  customer_key::TEXT AS customer_key,
  /* attributes */
  subject::TEXT AS subject,
  priority::TEXT AS priority,
  @crm_priority_score(priority)::INT AS priority_score,
  category::TEXT AS category,
  source_type::TEXT AS source_type,
  pipeline_stage_id::TEXT AS stage_id,
  stage_label::TEXT AS stage_label,
  closed::BOOLEAN AS is_closed,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  ROUND(reply_hours, 2)::NUMERIC(10, 2) AS first_reply_hours,
  ROUND(close_hours, 2)::NUMERIC(10, 2) AS resolution_hours,
  ROUND(COALESCE(close_hours, open_hours), 2)::NUMERIC(10, 2) AS age_hours,
  reply_target::INT AS first_reply_target_hours,
  resolve_target::INT AS resolution_target_hours,
  reply_met::BOOLEAN AS first_reply_sla_met,
  resolve_met::BOOLEAN AS resolution_sla_met,
  (CASE WHEN NOT reply_met OR NOT resolve_met THEN 'breached' WHEN reply_met AND resolve_met THEN 'met'
    ELSE 'pending' END)::TEXT AS sla_status,
  /* timestamps */
  first_agent_reply_at::TIMESTAMPTZ AS first_reply_at,
  closed_at::TIMESTAMPTZ AS closed_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM sla
