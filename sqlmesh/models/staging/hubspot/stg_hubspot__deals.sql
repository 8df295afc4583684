/* One row per HubSpot deal in its latest clean version: new business (a sign-up; won at sign-up or
   when the trial converts, lost when it expires), expansion (upgrades), renewals lost to
   cancellations, win-backs, and prospects' deals. The stage history is HubSpot's own: when the
   deal entered and left each stage of the default pipeline (null for stages it skipped). */
MODEL (
  name staging.stg_hubspot__deals,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key deal_id
  ),
  grain deal_id,
  audits (
    unique_values(columns := (deal_id)),
    not_null(columns := (deal_id, deal_name, pipeline_id, deal_stage, is_closed, is_deleted, created_at, updated_at)),
    accepted_values(column := deal_stage, is_in := ('appointmentscheduled', 'qualifiedtobuy',
      'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'))
  ),
  column_descriptions (
    deal_id = 'HubSpot deal id',
    company_id = 'The associated company (stg_hubspot__companies)',
    contact_id = 'The associated contact (the account owner, or the prospect)',
    deal_stage = 'Current stage id (stg_hubspot__deal_pipelines)',
    amount = 'First-year value in deal_currency (subscriptions'' ACV plus one-off hardware); for expansion deals the ACV added',
    close_date = 'Expected close date while open; the close time once closed',
    deal_type = 'newbusiness or existingbusiness (expansion, renewal, win-back)',
    app_account_id = 'App account id (uuid); null for prospects'' deals',
    stage_probability = 'Win probability of the current stage (0 to 1)'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.deals
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS deal_id,
  (payload -> 'associations' -> 'companies' -> 0 ->> 'toObjectId')::TEXT AS company_id,
  (payload -> 'associations' -> 'contacts' -> 0 ->> 'toObjectId')::TEXT AS contact_id,
  (payload -> 'properties' ->> 'dealname')::TEXT AS deal_name,
  (payload -> 'properties' ->> 'pipeline')::TEXT AS pipeline_id,
  (payload -> 'properties' ->> 'dealstage')::TEXT AS deal_stage,
  (payload -> 'properties' ->> 'amount')::NUMERIC(14, 2) AS amount,
  (payload -> 'properties' ->> 'deal_currency_code')::TEXT AS deal_currency,
  (payload -> 'properties' ->> 'closedate')::TIMESTAMPTZ AS close_date,
  (payload -> 'properties' ->> 'dealtype')::TEXT AS deal_type,
  (payload -> 'properties' ->> 'hubspot_owner_id')::TEXT AS owner_id,
  (payload -> 'properties' ->> 'hs_is_closed')::BOOLEAN AS is_closed,
  (payload -> 'properties' ->> 'hs_is_closed_won')::BOOLEAN AS is_closed_won,
  (payload -> 'properties' ->> 'hs_deal_stage_probability')::NUMERIC(3, 2) AS stage_probability,
  (payload -> 'properties' ->> 'closed_lost_reason')::TEXT AS closed_lost_reason,
  (payload -> 'properties' ->> 'app_account_id')::UUID AS app_account_id,
  (payload -> 'properties' ->> 'hs_date_entered_appointmentscheduled')::TIMESTAMPTZ AS entered_appointmentscheduled_at,
  (payload -> 'properties' ->> 'hs_date_exited_appointmentscheduled')::TIMESTAMPTZ AS exited_appointmentscheduled_at,
  (payload -> 'properties' ->> 'hs_date_entered_qualifiedtobuy')::TIMESTAMPTZ AS entered_qualifiedtobuy_at,
  (payload -> 'properties' ->> 'hs_date_exited_qualifiedtobuy')::TIMESTAMPTZ AS exited_qualifiedtobuy_at,
  (payload -> 'properties' ->> 'hs_date_entered_presentationscheduled')::TIMESTAMPTZ AS entered_presentationscheduled_at,
  (payload -> 'properties' ->> 'hs_date_exited_presentationscheduled')::TIMESTAMPTZ AS exited_presentationscheduled_at,
  (payload -> 'properties' ->> 'hs_date_entered_decisionmakerboughtin')::TIMESTAMPTZ AS entered_decisionmakerboughtin_at,
  (payload -> 'properties' ->> 'hs_date_exited_decisionmakerboughtin')::TIMESTAMPTZ AS exited_decisionmakerboughtin_at,
  (payload -> 'properties' ->> 'hs_date_entered_contractsent')::TIMESTAMPTZ AS entered_contractsent_at,
  (payload -> 'properties' ->> 'hs_date_exited_contractsent')::TIMESTAMPTZ AS exited_contractsent_at,
  (payload -> 'properties' ->> 'hs_date_entered_closedwon')::TIMESTAMPTZ AS entered_closedwon_at,
  (payload -> 'properties' ->> 'hs_date_exited_closedwon')::TIMESTAMPTZ AS exited_closedwon_at,
  (payload -> 'properties' ->> 'hs_date_entered_closedlost')::TIMESTAMPTZ AS entered_closedlost_at,
  (payload -> 'properties' ->> 'hs_date_exited_closedlost')::TIMESTAMPTZ AS exited_closedlost_at,
  _deleted::BOOLEAN AS is_deleted,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (deal_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
