/* One row per UTC day, sales rep and open pipeline stage: the deals that stood in that open stage
   at the end of the day (crm.fact_deal_stage_history rows with valid_from before the next midnight
   and valid_to NULL or at/after it), with their amount and weighted amount. It answers "what was
   the pipeline on date D" for every day from the first deal to today; stages with no deal on a day
   have no row. */
MODEL (
  name crm.fact_pipeline_daily,
  kind FULL,
  owner sales_analytics,
  grain (pipeline_date, owner_id, stage_id),
  audits (
    unique_combination_of_columns(columns := (pipeline_date, owner_id, stage_id)),
    not_null(columns := (pipeline_date, owner_id, stage_id, open_deals, pipeline_amount, weighted_pipeline_amount)),
    assert_non_negative(columns := (open_deals, pipeline_amount, weighted_pipeline_amount))
  ),
  column_descriptions (
    pipeline_date = 'The UTC day; the state is as at its end (the next midnight)',
    owner_id = 'The deals'' sales rep (HubSpot owner id); ''unassigned'' when a deal has none',
    stage_id = 'Open stage the deals stood in',
    stage_order = 'Position of the stage in the pipeline, from 0',
    open_deals = 'Deals in the stage at the end of the day',
    pipeline_amount = 'Sum of their amounts, USD',
    weighted_pipeline_amount = 'Sum of amount × stage win probability, USD'
  )
);

WITH deal_days AS (
  /* a visit counts on day X when it began before X's end (X >= its first day) and had not ended
     by then (X <= the day before valid_to) */
  SELECT
    g.pipeline_date::DATE AS pipeline_date,
    h.owner_id,
    h.stage_id,
    h.stage_order,
    h.amount,
    h.weighted_amount
  FROM crm.fact_deal_stage_history AS h
  CROSS JOIN LATERAL GENERATE_SERIES(
    (h.valid_from AT TIME ZONE 'UTC')::DATE,
    COALESCE(((h.valid_to - INTERVAL '1 day') AT TIME ZONE 'UTC')::DATE, (@execution_ts::TIMESTAMP)::DATE),
    INTERVAL '1 day'
  ) AS g(pipeline_date)
  WHERE NOT h.is_closed_stage
)
SELECT
  pipeline_date::DATE AS pipeline_date,
  COALESCE(owner_id, 'unassigned')::TEXT AS owner_id,
  stage_id::TEXT AS stage_id,
  MIN(stage_order)::INT AS stage_order,
  COUNT(*)::INT AS open_deals,
  COALESCE(SUM(amount), 0)::NUMERIC(18, 2) AS pipeline_amount,
  COALESCE(SUM(weighted_amount), 0)::NUMERIC(18, 2) AS weighted_pipeline_amount
FROM deal_days
GROUP BY 1, 2, 3
