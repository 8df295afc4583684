/* One row per HubSpot engagement: a call, email, meeting, note or task (archived ones kept,
   is_deleted true), with the company, contact and deal it is logged against, its status and its
   outcome.
     activity_status  call: completed, no_answer or busy (hs_call_status); email: sent, bounced or
                      failed; meeting: scheduled, completed, no_show, rescheduled or canceled; note:
                      logged; task: completed, overdue (due before now, not done) or open
     outcome          call: connected, left_voicemail, left_live_message, no_answer, busy or
                      wrong_number (HubSpot's default call dispositions; else the status); email:
                      sent, received (from the customer), forwarded, bounced or failed; meeting and
                      task: the status; note: logged
     outcome_sentiment positive (call connected, customer replied, meeting completed, task
                      completed), negative (no answer, busy, wrong number, bounced or failed email,
                      no-show or canceled meeting, overdue task) or neutral (the rest)
     duration_minutes call length, or meeting end − start; NULL for the others */
MODEL (
  name crm.fact_activities,
  kind FULL,
  owner sales_analytics,
  grain (activity_type, activity_id),
  audits (
    unique_combination_of_columns(columns := (activity_type, activity_id)),
    not_null(columns := (
      activity_id, activity_type, activity_status, outcome, outcome_sentiment, is_completed, is_deleted,
      occurred_at, activity_date
    )),
    accepted_values(column := activity_type, is_in := ('call', 'email', 'meeting', 'note', 'task')),
    accepted_values(column := outcome_sentiment, is_in := ('positive', 'neutral', 'negative')),
    assert_non_negative(columns := (duration_minutes))
  ),
  column_descriptions (
    activity_id = 'HubSpot engagement id (unique with activity_type)',
    activity_type = 'call, email, meeting, note or task',
    company_id = 'The company it is logged against (crm.dim_accounts); NULL when none',
    contact_id = 'The contact (crm.dim_contacts); NULL when none',
    deal_id = 'The deal (crm.fact_deals); NULL when none',
    owner_id = 'The rep or agent it belongs to (HubSpot owner id)',
    customer_key = 'The customer (intermediate.int_customers__core): app account id, else hubspot:<company id>',
    subject = 'Call, meeting or task title; email subject; note body',
    direction = 'Calls: OUTBOUND/INBOUND; emails: EMAIL (sent), INCOMING_EMAIL or FORWARDED_EMAIL',
    activity_status = 'Type-specific status, lower case (see the model comment)',
    outcome = 'Type-specific outcome, lower case (see the model comment)',
    outcome_sentiment = 'positive, neutral or negative (see the model comment)',
    is_completed = 'The activity took place or was done: a completed call, a sent or received email, a completed meeting, a note, a completed task',
    duration_minutes = 'Call length, or meeting end − start, minutes',
    occurred_at = 'When it took place (calls, emails, notes), starts (meetings) or is due (tasks)',
    activity_date = 'UTC day of occurred_at',
    completed_at = 'Tasks: when completed',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH activities AS (
  SELECT
    call_id AS activity_id, 'call' AS activity_type, company_id, contact_id, deal_id, owner_id, title AS subject,
    direction, LOWER(call_status) AS activity_status,
    COALESCE((CASE disposition_id
      WHEN 'f240bbac-87c9-4f6e-bf70-924b57d47db7' THEN 'connected'
      WHEN 'b2cf5968-551e-4856-9783-52b3da59a7d0' THEN 'left_voicemail'
      WHEN 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff' THEN 'left_live_message'
      WHEN '73a0d17f-1163-4015-bdd5-ec830791da20' THEN 'no_answer'
      WHEN '9d9162e7-6cf3-4944-bf63-4dff82258764' THEN 'busy'
      WHEN '17b47fee-58de-441e-a44c-c6300d46f273' THEN 'wrong_number'
    END), LOWER(call_status)) AS outcome,
    duration_ms / 60000.0 AS duration_minutes, occurred_at, NULL::TIMESTAMPTZ AS completed_at,
    is_deleted, created_at, updated_at
  FROM staging.stg_hubspot__calls
  UNION ALL
  SELECT
    email_id, 'email', company_id, contact_id, deal_id, owner_id, subject, direction, LOWER(email_status),
    (CASE WHEN email_status IN ('BOUNCED', 'FAILED') THEN LOWER(email_status)
      WHEN direction = 'INCOMING_EMAIL' THEN 'received' WHEN direction = 'FORWARDED_EMAIL' THEN 'forwarded'
      ELSE 'sent' END),
    NULL, occurred_at, NULL, is_deleted, created_at, updated_at
  FROM staging.stg_hubspot__emails
  UNION ALL
  SELECT
    meeting_id, 'meeting', company_id, contact_id, deal_id, owner_id, title, NULL, LOWER(outcome), LOWER(outcome),
    EXTRACT(EPOCH FROM end_at - start_at) / 60, occurred_at, NULL, is_deleted, created_at, updated_at
  FROM staging.stg_hubspot__meetings
  UNION ALL
  SELECT
    note_id, 'note', company_id, contact_id, deal_id, owner_id, body, NULL, 'logged', 'logged', NULL, occurred_at,
    NULL, is_deleted, created_at, updated_at
  FROM staging.stg_hubspot__notes
  UNION ALL
  SELECT
    task_id, 'task', company_id, contact_id, deal_id, owner_id, subject, NULL, s.status, s.status, NULL, due_at,
    completed_at, is_deleted, created_at, updated_at
  FROM staging.stg_hubspot__tasks
  CROSS JOIN LATERAL (
    SELECT (CASE WHEN task_status = 'COMPLETED' THEN 'completed'
      WHEN due_at < (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') THEN 'overdue' ELSE 'open' END) AS status
  ) AS s
), linked AS (
  SELECT
    a.*,
    c.customer_key
  FROM activities AS a
  LEFT JOIN staging.stg_hubspot__companies AS co
    ON co.company_id = a.company_id
  LEFT JOIN intermediate.int_customers__core AS c
    ON c.customer_key = COALESCE(co.app_account_id::TEXT, 'hubspot:' || a.company_id)
)
SELECT
  /* ids */
  activity_id::TEXT AS activity_id,
  activity_type::TEXT AS activity_type,
  company_id::TEXT AS company_id,
  contact_id::TEXT AS contact_id,
  deal_id::TEXT AS deal_id,
  owner_id::TEXT AS owner_id,
  customer_key::TEXT AS customer_key,
  /* attributes */
  subject::TEXT AS subject,
  direction::TEXT AS direction,
  COALESCE(activity_status, 'unknown')::TEXT AS activity_status,
  COALESCE(outcome, 'unknown')::TEXT AS outcome,
  (CASE
    WHEN outcome IN ('connected', 'received', 'completed') THEN 'positive'
    WHEN outcome IN ('no_answer', 'busy', 'wrong_number', 'bounced', 'failed', 'no_show', 'canceled', 'overdue')
      THEN 'negative'
    ELSE 'neutral'
  END)::TEXT AS outcome_sentiment,
  COALESCE(CASE activity_type
    WHEN 'call' THEN activity_status = 'completed'
    WHEN 'email' THEN outcome IN ('sent', 'received', 'forwarded')
    WHEN 'meeting' THEN activity_status = 'completed'
    WHEN 'note' THEN TRUE
    WHEN 'task' THEN activity_status = 'completed'
  END, FALSE)::BOOLEAN AS is_completed,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  ROUND(duration_minutes, 2)::NUMERIC(10, 2) AS duration_minutes,
  /* timestamps */
  occurred_at::TIMESTAMPTZ AS occurred_at,
  (occurred_at AT TIME ZONE 'UTC')::DATE AS activity_date,
  completed_at::TIMESTAMPTZ AS completed_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM linked
