/* SCD type 2 of deal stages: one row per deal per stage visit, from HubSpot's stage history
   (hs_date_entered_<stage> on staging.stg_hubspot__deals), archived deals left out. A row is
   valid from the time the deal entered the stage (valid_from) until it entered the next one
   (valid_to; NULL on the current row), so the windows of a deal tile time and the pipeline on a
   date D is
     SELECT ... FROM crm.fact_deal_stage_history
     WHERE valid_from <= D AND (valid_to > D OR valid_to IS NULL) AND NOT is_closed_stage
   (crm.fact_pipeline_daily has it per day). Visits are ordered by entry time (ties by stage
   order); a stage entered and left at the same instant (a deal closed the moment it was opened)
   was never current and has no row. HubSpot keeps only the latest entry into each stage, so a
   deal that went back to a stage shows that stage once, at its re-entry.
     movement        initial (the first row of a deal), forward (to a later stage in the pipeline
                     order; closing, won or lost, is forward) or backward (to an earlier stage)
     days_in_stage   valid_to − valid_from in days, to now on an open current row; NULL on a
                     closed stage (a deal does not wait in it)
   amount, weighted_amount: the deal's current amount × the stage's win probability. */
MODEL (
  name crm.fact_deal_stage_history,
  kind FULL,
  owner sales_analytics,
  grain (deal_id, valid_from),
  audits (
    unique_combination_of_columns(columns := (deal_id, valid_from)),
    unique_combination_of_columns(columns := (deal_id, stage_sequence)),
    not_null(columns := (deal_id, stage_id, stage_sequence, movement, valid_from, is_current, is_closed_stage)),
    accepted_values(column := movement, is_in := ('initial', 'forward', 'backward')),
    assert_contiguous_history(key := deal_id),
    assert_one_current_row(key := deal_id),
    assert_in_range(columns := (win_probability), max_v := 1),
    assert_non_negative(columns := (days_in_stage, amount, weighted_amount))
  ),
  column_descriptions (
    deal_id = 'HubSpot deal id (crm.fact_deals)',
    stage_sequence = 'Visit number within the deal, from 1, in time order',
    stage_id = 'Stage of the visit',
    stage_label = 'Stage label from the pipeline',
    stage_order = 'Position of the stage in the pipeline, from 0 (closedwon 5, closedlost 6)',
    previous_stage_id = 'Stage of the previous visit; NULL on the first',
    movement = 'initial, forward (a later stage by pipeline order, closing included) or backward (an earlier stage)',
    is_closed_stage = 'closedwon or closedlost',
    win_probability = 'The stage''s win probability, 0-1',
    amount = 'The deal''s current amount, USD',
    weighted_amount = 'amount × the stage''s win_probability, USD',
    days_in_stage = 'Days from valid_from to valid_to (to now while current and open); NULL on a closed stage',
    valid_from = 'When the deal entered the stage',
    valid_to = 'When it entered the next stage; NULL while current',
    is_current = 'The deal''s current stage (valid_to NULL)'
  )
);

WITH visits AS (
  SELECT
    d.deal_id,
    d.pipeline_id,
    d.company_id,
    d.owner_id,
    d.amount,
    s.stage_id,
    s.entered_at
  FROM staging.stg_hubspot__deals AS d
  CROSS JOIN LATERAL (
    VALUES
      ('appointmentscheduled', d.entered_appointmentscheduled_at),
      ('qualifiedtobuy', d.entered_qualifiedtobuy_at),
      ('presentationscheduled', d.entered_presentationscheduled_at),
      ('decisionmakerboughtin', d.entered_decisionmakerboughtin_at),
      ('contractsent', d.entered_contractsent_at),
      ('closedwon', d.entered_closedwon_at),
      ('closedlost', d.entered_closedlost_at)
  ) AS s(stage_id, entered_at)
  WHERE s.entered_at IS NOT NULL AND NOT COALESCE(d.is_deleted, FALSE)
), ordered AS (
  SELECT
    v.*,
    p.stage_label,
    p.stage_order,
    p.win_probability,
    COALESCE(p.is_closed, v.stage_id IN ('closedwon', 'closedlost')) AS is_closed_stage,
    LEAD(v.entered_at) OVER (PARTITION BY v.deal_id ORDER BY v.entered_at, p.stage_order) AS next_entered_at
  FROM visits AS v
  LEFT JOIN staging.stg_hubspot__deal_pipelines AS p
    ON p.pipeline_id = v.pipeline_id AND p.stage_id = v.stage_id
), kept AS (
  /* a stay of no duration (entered and left at once) was never current */
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY entered_at, stage_order) AS seq,
    LAG(stage_id) OVER (PARTITION BY deal_id ORDER BY entered_at, stage_order) AS prev_stage_id,
    LAG(stage_order) OVER (PARTITION BY deal_id ORDER BY entered_at, stage_order) AS prev_stage_order
  FROM ordered
  WHERE next_entered_at IS NULL OR next_entered_at > entered_at
)
SELECT
  /* ids */
  deal_id::TEXT AS deal_id,
  seq::INT AS stage_sequence,
  company_id::TEXT AS company_id,
  owner_id::TEXT AS owner_id,
  pipeline_id::TEXT AS pipeline_id,
  /* attributes */
  stage_id::TEXT AS stage_id,
  stage_label::TEXT AS stage_label,
  stage_order::INT AS stage_order,
  prev_stage_id::TEXT AS previous_stage_id,
  (CASE WHEN prev_stage_order IS NULL THEN 'initial' WHEN stage_order < prev_stage_order THEN 'backward'
    ELSE 'forward' END)::TEXT AS movement,
  is_closed_stage::BOOLEAN AS is_closed_stage,
  /* measures */
  win_probability::NUMERIC(3, 2) AS win_probability,
  amount::NUMERIC(18, 2) AS amount,
  ROUND(amount * win_probability, 2)::NUMERIC(18, 2) AS weighted_amount,
  (CASE WHEN NOT is_closed_stage THEN
    ROUND(@crm_days_between(entered_at, COALESCE(next_entered_at, @execution_ts::TIMESTAMP AT TIME ZONE 'UTC')), 2)
  END)::NUMERIC(10, 2) AS days_in_stage,
  /* validity */
  entered_at::TIMESTAMPTZ AS valid_from,
  next_entered_at::TIMESTAMPTZ AS valid_to,
  (next_entered_at IS NULL)::BOOLEAN AS is_current
FROM kept
