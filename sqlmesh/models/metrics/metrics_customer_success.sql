/* One row per customer (entity.entity_customers.customer_key) per UTC day (metric_date): the
   customer-success metrics as they stood at the last run of that day. A daily snapshot: each run
   merges today's rows (metric_date = the run's UTC day) and leaves earlier days as their last run
   wrote them, so the history of scores accumulates from the first build on (like the SCD type 2
   entity histories, it cannot be rebuilt for days before). The same numbers as entity_customers,
   plus:
     composite_success_score   @composite_success_score: health, engagement, core adoption
     user_activation_rate      share (0-1) of the customer's users (not deleted) who have logged in
     avg_engagement_score      mean of @user_engagement_score over the customer's users (not deleted)
     core_feature_adoption_rate  share (0-1) of the GA features the customer's users used in 30 days
     ticket_resolution_rate    share (0-1) of the tickets created in 30 days that are closed
     avg_ticket_resolution_hours  mean created → closed of the tickets closed in 30 days
     avg_device_health_score   mean of @device_health_score over active devices
     volume_processed_30d      litres poured by the customer's devices in 30 days
     nps_score                 @nps of the customer's users' NPS survey answers (Iterable custom
                               events) in the trailing SURVEY_WINDOW_DAYS (90); NULL without answers
     csat_score                @csat (% satisfied, 4-5 of 5) of the CSAT answers in 90 days
     time_to_value_days        days from sign-up to the first pour; NULL when there is none yet or
                               the account is older than the first day of telemetry the warehouse has
     expansion_potential_score @expansion_potential_score: seat utilisation, health, adoption
   Scales, as everywhere in the metrics layer: scores 0-100, *_rate and *_ratio fractions (0-1),
   *_pct percentages. Weights and thresholds: macros/metrics_rules.py. */
MODEL (
  name metrics.metrics_customer_success,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key (metric_date, customer_key)
  ),
  owner customer_success,
  grain (metric_date, customer_key),
  audits (
    unique_combination_of_columns(columns := (metric_date, customer_key)),
    not_null(columns := (
      metric_date, customer_key, customer_name, current_mrr, customer_health_score, churn_risk_score,
      composite_success_score, health_band, monthly_active_users, features_adopted, support_tickets_30d,
      active_device_count, volume_processed_30d, expansion_potential_score
    )),
    accepted_values(column := health_band, is_in := ('healthy', 'stable', 'at_risk')),
    assert_in_range(columns := (
      customer_health_score, churn_risk_score, composite_success_score, avg_engagement_score,
      avg_device_health_score, csat_score, expansion_potential_score
    )),
    assert_in_range(columns := (user_activation_rate, core_feature_adoption_rate, ticket_resolution_rate), max_v := 1),
    assert_in_range(columns := (nps_score), min_v := -100),
    assert_non_negative(columns := (
      current_mrr, current_arr, monthly_active_users, features_adopted, support_tickets_30d,
      avg_ticket_resolution_hours, active_device_count, volume_processed_30d, nps_responses_90d,
      csat_responses_90d, time_to_value_days
    ))
  ),
  column_descriptions (
    metric_date = 'The UTC day of the snapshot (the day of the run that wrote it)',
    customer_key = 'The customer (entity_customers.customer_key)',
    customer_name = 'The account name (else the customer key)',
    current_mrr = 'The customer''s MRR (entity_customers.monthly_recurring_revenue, DESIGN.md §8)',
    customer_health_score = '0-100, entity_customers.customer_health_score',
    churn_risk_score = '0-100, entity_customers.churn_risk_score',
    composite_success_score = '0-100, @composite_success_score(health, avg engagement, core adoption)',
    monthly_active_users = 'Users active in the trailing 30 days (entity_customers)',
    user_activation_rate = 'Share (0-1) of the customer''s users (not deleted) who have ever logged in; NULL without users',
    avg_engagement_score = 'Mean 0-100 @user_engagement_score of the customer''s users (not deleted); NULL without users',
    features_adopted = 'Distinct features used in 30 days (entity_customers)',
    core_feature_adoption_rate = 'Share (0-1) of the GA features (not deleted) used by the customer''s users in 30 days',
    support_tickets_30d = 'HubSpot tickets created in the trailing 30 days (entity_customers)',
    ticket_resolution_rate = 'Share (0-1) of the tickets created in 30 days that are closed; NULL without tickets',
    avg_ticket_resolution_hours = 'Mean hours from creation to close of the tickets closed in 30 days; NULL without',
    active_device_count = 'Installed devices (online or offline), entity_customers.active_devices',
    avg_device_health_score = 'Mean 0-100 @device_health_score of the active devices; NULL without',
    volume_processed_30d = 'Litres poured by the customer''s devices in the trailing 30 days',
    nps_score = 'Net Promoter Score -100..100 of the NPS answers of the trailing 90 days; NULL without answers',
    nps_responses_90d = 'NPS answers in the trailing 90 days',
    csat_score = '% satisfied (4-5 of 5) of the CSAT answers of the trailing 90 days; NULL without answers',
    csat_responses_90d = 'CSAT answers in the trailing 90 days',
    time_to_value_days = 'Days from sign-up to the first pour; NULL if none yet, or if the account predates the telemetry',
    expansion_potential_score = '0-100, @expansion_potential_score (0 when canceled)'
  )
);

WITH as_of AS (
  SELECT
    (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC') AS now_ts,
    (@execution_ts::TIMESTAMP AT TIME ZONE 'UTC' AT TIME ZONE 'UTC')::DATE AS today
), catalog AS (
  SELECT
    COUNT(*) FILTER (WHERE feature_status IN ('beta', 'ga')) AS features_available,
    COUNT(*) FILTER (WHERE feature_status = 'ga') AS core_features
  FROM entity.entity_features
  WHERE NOT is_deleted
), users AS (
  SELECT
    u.account_id::TEXT AS customer_key,
    COUNT(*) AS users,
    COUNT(*) FILTER (WHERE u.last_login_at IS NOT NULL) AS activated_users,
    AVG(@user_engagement_score(
      u.active_days_30d, u.sessions_30d, u.features_used_30d, (SELECT features_available FROM catalog)
    )) AS avg_engagement_score
  FROM entity.entity_users AS u
  WHERE NOT u.is_deleted
  GROUP BY 1
), core_usage AS (
  SELECT f.account_id::TEXT AS customer_key, COUNT(DISTINCT f.feature_id) AS core_features_used
  FROM intermediate.int_features__usage_daily AS f
  JOIN entity.entity_features AS e
    ON e.feature_id = f.feature_id AND e.feature_status = 'ga' AND NOT e.is_deleted
  WHERE f.usage_date > (SELECT today FROM as_of) - 30
  GROUP BY 1
), tickets AS (
  SELECT
    company_id,
    COUNT(*) FILTER (WHERE created_at > (SELECT now_ts FROM as_of) - INTERVAL '30 days') AS created_30d,
    COUNT(*) FILTER (
      WHERE created_at > (SELECT now_ts FROM as_of) - INTERVAL '30 days' AND closed_at IS NOT NULL
    ) AS created_closed_30d,
    AVG(EXTRACT(EPOCH FROM closed_at - created_at) / 3600) FILTER (
      WHERE closed_at > (SELECT now_ts FROM as_of) - INTERVAL '30 days'
    ) AS resolution_hours
  FROM staging.stg_hubspot__tickets
  WHERE NOT COALESCE(is_deleted, FALSE)
  GROUP BY 1
), devices AS (
  SELECT
    account_id::TEXT AS customer_key,
    AVG(@device_health_score(
      uptime_pct_30d, warning_errors_30d + error_errors_30d + critical_errors_30d
    )) FILTER (WHERE NOT is_deleted AND device_status IN ('online', 'offline')) AS avg_device_health_score,
    SUM(volume_ml_30d) / 1000.0 AS volume_litres_30d
  FROM entity.entity_devices
  GROUP BY 1
), surveys AS (
  SELECT
    COALESCE(au.account_id, iu.account_id)::TEXT AS customer_key,
    @nps(CASE WHEN e.event_name = 'nps_survey_response' THEN e.score END) AS nps_score,
    COUNT(e.score) FILTER (WHERE e.event_name = 'nps_survey_response') AS nps_responses,
    @csat(CASE WHEN e.event_name = 'csat_survey_response' THEN e.score END) AS csat_score,
    COUNT(e.score) FILTER (WHERE e.event_name = 'csat_survey_response') AS csat_responses
  FROM staging.stg_iterable__custom_events AS e
  LEFT JOIN staging.stg_app__users AS au
    ON au.user_id = e.user_id
  LEFT JOIN staging.stg_iterable__users AS iu
    ON iu.email = e.email
  WHERE
    e.event_name IN ('nps_survey_response', 'csat_survey_response')
    AND e.created_at > (SELECT now_ts FROM as_of) - INTERVAL '1 day' * @metrics_constant(SURVEY_WINDOW_DAYS)
    AND e.created_at <= (SELECT now_ts FROM as_of)
  GROUP BY 1
), first_value AS (
  SELECT customer_key, MIN(activity_date) FILTER (WHERE tap_events > 0) AS first_pour_date
  FROM entity.entity_customers_daily
  GROUP BY 1
), telemetry AS (
  SELECT MIN(activity_date) AS first_day FROM entity.entity_customers_daily
), joined AS (
  SELECT
    c.*,
    u.users,
    u.activated_users,
    u.avg_engagement_score,
    @pct(COALESCE(cu.core_features_used, 0), (SELECT core_features FROM catalog)) AS core_adoption,
    t.created_closed_30d,
    t.created_30d,
    t.resolution_hours,
    d.avg_device_health_score,
    d.volume_litres_30d,
    s.nps_score,
    s.nps_responses,
    s.csat_score,
    s.csat_responses,
    (CASE
      WHEN c.created_at::DATE >= (SELECT first_day FROM telemetry) THEN fv.first_pour_date - c.created_at::DATE
    END) AS time_to_value_days
  FROM entity.entity_customers AS c
  LEFT JOIN users AS u
    ON u.customer_key = c.customer_key
  LEFT JOIN core_usage AS cu
    ON cu.customer_key = c.customer_key
  LEFT JOIN tickets AS t
    ON t.company_id = c.hubspot_company_id
  LEFT JOIN devices AS d
    ON d.customer_key = c.customer_key
  LEFT JOIN surveys AS s
    ON s.customer_key = c.customer_key
  LEFT JOIN first_value AS fv
    ON fv.customer_key = c.customer_key
)
SELECT
  /* ids */
  (SELECT today FROM as_of)::DATE AS metric_date,
  customer_key::TEXT AS customer_key,
  account_id::UUID AS account_id,
  /* attributes */
  COALESCE(account_name, customer_key)::TEXT AS customer_name,
  plan::TEXT AS plan,
  status::TEXT AS status,
  health_band::TEXT AS health_band,
  /* health & risk */
  monthly_recurring_revenue::NUMERIC(18, 2) AS current_mrr,
  annual_recurring_revenue::NUMERIC(18, 2) AS current_arr,
  customer_health_score::NUMERIC(5, 2) AS customer_health_score,
  churn_risk_score::NUMERIC(5, 2) AS churn_risk_score,
  @composite_success_score(customer_health_score, avg_engagement_score, core_adoption)::NUMERIC(5, 2)
    AS composite_success_score,
  /* engagement */
  monthly_active_users::INT AS monthly_active_users,
  @ratio_of(activated_users, users)::NUMERIC(5, 4) AS user_activation_rate,
  ROUND(avg_engagement_score, 2)::NUMERIC(5, 2) AS avg_engagement_score,
  /* adoption */
  features_adopted::INT AS features_adopted,
  ROUND(core_adoption / 100, 4)::NUMERIC(5, 4) AS core_feature_adoption_rate,
  /* support */
  support_tickets_30d::INT AS support_tickets_30d,
  @ratio_of(created_closed_30d, created_30d)::NUMERIC(5, 4) AS ticket_resolution_rate,
  ROUND(resolution_hours, 2)::NUMERIC(10, 2) AS avg_ticket_resolution_hours,
  /* operations */
  active_devices::INT AS active_device_count,
  ROUND(avg_device_health_score, 2)::NUMERIC(5, 2) AS avg_device_health_score,
  ROUND(COALESCE(volume_litres_30d, 0), 2)::NUMERIC(14, 2) AS volume_processed_30d,
  /* voice of the customer, value, expansion */
  ROUND(nps_score, 2)::NUMERIC(6, 2) AS nps_score,
  COALESCE(nps_responses, 0)::INT AS nps_responses_90d,
  ROUND(csat_score, 2)::NUMERIC(5, 2) AS csat_score,
  COALESCE(csat_responses, 0)::INT AS csat_responses_90d,
  time_to_value_days::INT AS time_to_value_days,
  @expansion_potential_score(status, monthly_active_users, seats, customer_health_score, core_adoption)::NUMERIC(5, 2)
    AS expansion_potential_score
FROM joined
