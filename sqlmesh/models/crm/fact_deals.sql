/* One row per HubSpot deal (archived ones kept, is_deleted true) in its current state, linked to
   the account (company_id, and customer_key: the customer of intermediate.int_customers__core,
   the app account id or hubspot:<company id> for a prospect):
     deal_status        open, won or lost
     win_probability    the current stage's probability from the pipeline (0-1; closedwon 1, closedlost 0)
     weighted_amount    amount × win_probability
     stage_changes      stage moves the deal made: stages entered (hs_date_entered_<stage> set) − 1.
                        HubSpot keeps one entry time per stage, so a stage re-entered counts once
     days_in_pipeline   days from creation to close (closed) or to now (open), fractional
     days_in_current_stage  days since the current stage was entered (to the close for a closed deal: 0)
   Amounts are USD first-year value (subscription ACV plus hardware; an expansion deal's ACV added). */
MODEL (
  name crm.fact_deals,
  kind FULL,
  owner sales_analytics,
  grain deal_id,
  audits (
    unique_values(columns := (deal_id)),
    not_null(columns := (
      deal_id, deal_name, pipeline_id, deal_stage, deal_status, is_closed, is_won, is_deleted,
      stage_changes, days_in_pipeline, created_at
    )),
    accepted_values(column := deal_status, is_in := ('open', 'won', 'lost')),
    assert_in_range(columns := (win_probability), max_v := 1),
    assert_non_negative(columns := (amount, weighted_amount, stage_changes, days_in_pipeline, days_in_current_stage))
  ),
  column_descriptions (
    deal_id = 'HubSpot deal id',
    company_id = 'The deal''s company (crm.dim_accounts)',
    contact_id = 'The deal''s contact (crm.dim_contacts)',
    owner_id = 'The owning sales rep (HubSpot owner id; crm.sales_quotas)',
    customer_key = 'The customer (intermediate.int_customers__core / entity.entity_customers): app account id, else hubspot:<company id>',
    deal_type = 'newbusiness or existingbusiness (expansion, renewal, win-back)',
    deal_stage = 'Current stage id',
    stage_label = 'Current stage label from the pipeline',
    stage_order = 'Position of the current stage in the pipeline, from 0 (closedwon 5, closedlost 6)',
    deal_status = 'open, won (closedwon) or lost (closedlost)',
    amount = 'First-year deal value, USD',
    win_probability = 'Win probability of the current stage from the pipeline, 0-1',
    weighted_amount = 'amount × win_probability, USD',
    stage_changes = 'Stages entered − 1 (HubSpot keeps one entry time per stage: a re-entered stage counts once)',
    days_in_pipeline = 'Days from created_at to closed_at, or to now while open',
    days_in_current_stage = 'Days since the current stage was entered, or to now while open; 0 once closed',
    stage_entered_at = 'When the deal entered its current stage',
    expected_close_date = 'HubSpot close date (UTC day): expected while open, actual once closed',
    closed_at = 'When the deal closed (entered closedwon or closedlost); NULL while open',
    is_deleted = 'Archived in HubSpot'
  )
);

WITH deals AS (
  SELECT
    d.*,
    COALESCE(d.app_account_id::TEXT, co.app_account_id::TEXT, 'hubspot:' || d.company_id) AS link_key,
    (CASE d.deal_stage
      WHEN 'appointmentscheduled' THEN d.entered_appointmentscheduled_at
      WHEN 'qualifiedtobuy' THEN d.entered_qualifiedtobuy_at
      WHEN 'presentationscheduled' THEN d.entered_presentationscheduled_at
      WHEN 'decisionmakerboughtin' THEN d.entered_decisionmakerboughtin_at
      WHEN 'contractsent' THEN d.entered_contractsent_at
      WHEN 'closedwon' THEN d.entered_closedwon_at
      WHEN 'closedlost' THEN d.entered_closedlost_at
    END) AS current_stage_entered_at,
    (
      (d.entered_appointmentscheduled_at IS NOT NULL)::INT + (d.entered_qualifiedtobuy_at IS NOT NULL)::INT
      + (d.entered_presentationscheduled_at IS NOT NULL)::INT + (d.entered_decisionmakerboughtin_at IS NOT NULL)::INT
      + (d.entered_contractsent_at IS NOT NULL)::INT + (d.entered_closedwon_at IS NOT NULL)::INT
      + (d.entered_closedlost_at IS NOT NULL)::INT
    ) AS stages_entered
  FROM staging.stg_hubspot__deals AS d
  LEFT JOIN staging.stg_hubspot__companies AS co
    ON co.company_id = d.company_id
), enriched AS (
  SELECT
    d.*,
    c.customer_key,
    p.stage_label,
    p.stage_order,
    COALESCE(p.win_probability, d.stage_probability) AS probability,
    (CASE WHEN d.is_closed THEN COALESCE(d.current_stage_entered_at, d.close_date) END) AS closed_ts,
    (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') AS now_ts
  FROM deals AS d
  LEFT JOIN intermediate.int_customers__core AS c
    ON c.customer_key = d.link_key
  LEFT JOIN staging.stg_hubspot__deal_pipelines AS p
    ON p.pipeline_id = d.pipeline_id AND p.stage_id = d.deal_stage
)
SELECT
  /* ids */
  deal_id::TEXT AS deal_id,
  company_id::TEXT AS company_id,
  contact_id::TEXT AS contact_id,
  owner_id::TEXT AS owner_id,
  customer_key::TEXT AS customer_key,
  /* attributes */
  deal_name::TEXT AS deal_name,
  deal_type::TEXT AS deal_type,
  pipeline_id::TEXT AS pipeline_id,
  deal_stage::TEXT AS deal_stage,
  stage_label::TEXT AS stage_label,
  stage_order::INT AS stage_order,
  (CASE WHEN NOT is_closed THEN 'open' WHEN is_closed_won THEN 'won' ELSE 'lost' END)::TEXT AS deal_status,
  is_closed::BOOLEAN AS is_closed,
  COALESCE(is_closed_won, FALSE)::BOOLEAN AS is_won,
  closed_lost_reason::TEXT AS closed_lost_reason,
  deal_currency::TEXT AS currency,
  is_deleted::BOOLEAN AS is_deleted,
  /* measures */
  amount::NUMERIC(18, 2) AS amount,
  probability::NUMERIC(3, 2) AS win_probability,
  ROUND(amount * probability, 2)::NUMERIC(18, 2) AS weighted_amount,
  GREATEST(stages_entered - 1, 0)::INT AS stage_changes,
  ROUND(@crm_days_between(created_at, COALESCE(closed_ts, now_ts)), 2)::NUMERIC(10, 2)
    AS days_in_pipeline,
  ROUND(@crm_days_between(current_stage_entered_at, COALESCE(closed_ts, now_ts)), 2)::NUMERIC(10, 2)
    AS days_in_current_stage,
  /* timestamps */
  current_stage_entered_at::TIMESTAMPTZ AS stage_entered_at,
  (close_date AT TIME ZONE 'UTC')::DATE AS expected_close_date,
  closed_ts::TIMESTAMPTZ AS closed_at,
  created_at::TIMESTAMPTZ AS created_at,
  updated_at::TIMESTAMPTZ AS updated_at
FROM enriched
