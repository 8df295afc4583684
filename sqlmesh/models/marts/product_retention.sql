/* One row per signup cohort: the app users created (signed up, or were invited and accepted) on
   one UTC day, and how many of them were still using the product 7 and 30 days later.
   A user is retained at day N (@retained_at_day, macros/product_rules.py) when active — any
   session, page view or feature use (entity.entity_users_daily) — on any of the 7 days
   signup + N − 6 … signup + N, i.e. counted in the WAU of day signup + N. So day-7 retention is
   activity on days 1-7, day-30 retention on days 24-30; activity on the signup day itself counts
   for neither. dN_retention_rate = retained_dN_users ÷ cohort_users (0-1).
   Only cohorts whose whole first 30 days lie inside the observed activity count: cohorts from the
   first day with any user activity in the warehouse on (users created before it, whose early
   days were never seen, are left out). A cohort's day-N numbers are NULL until day signup + N
   has ended (is_d7_complete, is_d30_complete). Users still only invited (never signed in) are
   not in any cohort; deactivated users stay in theirs (they are the ones not retained). */
MODEL (
  name marts.product_retention,
  kind FULL,
  owner product_analytics,
  grain cohort_date,
  audits (
    unique_values(columns := (cohort_date)),
    not_null(columns := (cohort_date, cohort_users, activated_users, is_d7_complete, is_d30_complete)),
    assert_non_negative(columns := (cohort_users, activated_users, retained_d7_users, retained_d30_users)),
    assert_in_range(columns := (d7_retention_rate, d30_retention_rate), max_v := 1)
  ),
  column_descriptions (
    cohort_date = 'The UTC day the cohort''s users were created (signup)',
    cohort_users = 'Users created that day (still-pending invites excluded)',
    activated_users = 'Cohort users active on their signup day',
    is_d7_complete = 'Day 7 after signup has ended: the day-7 numbers are final',
    retained_d7_users = 'Cohort users active on any of days 1-7 after signup; NULL until is_d7_complete',
    d7_retention_rate = 'retained_d7_users ÷ cohort_users, 0-1; NULL until is_d7_complete',
    is_d30_complete = 'Day 30 after signup has ended: the day-30 numbers are final',
    retained_d30_users = 'Cohort users active on any of days 24-30 after signup; NULL until is_d30_complete',
    d30_retention_rate = 'Day-30 retention: retained_d30_users ÷ cohort_users, 0-1; NULL until is_d30_complete'
  )
);

WITH cohort_users AS (
  SELECT
    user_id,
    (created_at AT TIME ZONE 'UTC')::DATE AS cohort_date
  FROM staging.stg_app__users
  WHERE
    user_status IS DISTINCT FROM 'invited'
    AND (created_at AT TIME ZONE 'UTC')::DATE >= (SELECT MIN(activity_date) FROM entity.entity_users_daily)
    AND (created_at AT TIME ZONE 'UTC')::DATE <= @execution_ds::DATE
), user_retention AS (
  SELECT
    c.user_id,
    c.cohort_date,
    COALESCE(BOOL_OR(a.activity_date = c.cohort_date), FALSE) AS is_activated,
    COALESCE(BOOL_OR(@retained_at_day(c.cohort_date, a.activity_date, 7)), FALSE) AS is_retained_d7,
    COALESCE(BOOL_OR(@retained_at_day(c.cohort_date, a.activity_date, 30)), FALSE) AS is_retained_d30
  FROM cohort_users AS c
  LEFT JOIN entity.entity_users_daily AS a
    ON a.user_id = c.user_id AND a.activity_date BETWEEN c.cohort_date AND c.cohort_date + 30
  GROUP BY
    c.user_id,
    c.cohort_date
), cohorts AS (
  SELECT
    cohort_date,
    COUNT(*) AS cohort_users,
    COUNT(*) FILTER (WHERE is_activated) AS activated_users,
    COUNT(*) FILTER (WHERE is_retained_d7) AS retained_d7_users,
    COUNT(*) FILTER (WHERE is_retained_d30) AS retained_d30_users,
    cohort_date + 7 < @execution_ds::DATE AS is_d7_complete,
    cohort_date + 30 < @execution_ds::DATE AS is_d30_complete
  FROM user_retention
  GROUP BY
    cohort_date
)
SELECT
  /* measures */
  cohort_users::INT AS cohort_users,
  activated_users::INT AS activated_users,
  is_d7_complete::BOOLEAN AS is_d7_complete,
  (CASE WHEN is_d7_complete THEN retained_d7_users END)::INT AS retained_d7_users,
  (CASE WHEN is_d7_complete THEN @ratio_of(retained_d7_users, cohort_users) END)::NUMERIC(5, 4)
    AS d7_retention_rate,
  is_d30_complete::BOOLEAN AS is_d30_complete,
  (CASE WHEN is_d30_complete THEN retained_d30_users END)::INT AS retained_d30_users,
  (CASE WHEN is_d30_complete THEN @ratio_of(retained_d30_users, cohort_users) END)::NUMERIC(5, 4)
    AS d30_retention_rate,
  /* timestamps */
  cohort_date::DATE AS cohort_date
FROM cohorts
