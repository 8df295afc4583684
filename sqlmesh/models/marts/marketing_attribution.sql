/* One row per conversion × touchpoint: the credit each touch on a conversion path gets under five
   attribution models (DESIGN.md §8). A conversion is an app account's sign-up (its created_at,
   as in intermediate.int_marketing__touchpoints); its path is the account's touches before the
   sign-up on every channel (Google, Meta and LinkedIn ad clicks and landings, HubSpot sales
   emails, calls and meetings, Iterable email clicks), in time order (ties broken by channel and
   touchpoint id). Accounts with no touch before signing up have no row; anonymous touches (no
   account) and touches after the sign-up are not on any path.
     touch_position 1 for the first touch of the path, up to path_length
     first_touch_credit, last_touch_credit, linear_credit (1/n), time_decay_credit
       (2^(−days_before_conversion ÷ 7), normalised over the path) and u_shaped_credit (40% first,
       40% last, 20% shared by the middle; 50/50 for two touches; 100% for one): the macros in
       macros/attribution.py. Each conversion's credits sum to 1 under every model (audited).
     converted_mrr  the converted customer's MRR now (entity_customers.monthly_recurring_revenue,
       0 if it has none): what marketing_campaign_performance credits as attributed revenue. */
MODEL (
  name marts.marketing_attribution,
  kind FULL,
  owner marketing,
  grain (account_id, touchpoint_id),
  audits (
    unique_combination_of_columns(columns := (account_id, touchpoint_id)),
    not_null(columns := (
      account_id, touchpoint_id, channel, touch_type, touch_position, path_length, first_touch_credit,
      last_touch_credit, linear_credit, time_decay_credit, u_shaped_credit, converted_mrr, touched_at,
      converted_at
    )),
    assert_in_range(
      columns := (first_touch_credit, last_touch_credit, linear_credit, time_decay_credit, u_shaped_credit),
      max_v := 1
    ),
    assert_non_negative(columns := (days_before_conversion, converted_mrr)),
    assert_credits_sum_to_one
  ),
  column_descriptions (
    account_id = 'The converted app account (the conversion: its sign-up)',
    customer_key = 'entity_customers.customer_key of the account',
    touchpoint_id = 'intermediate.int_marketing__touchpoints.touchpoint_id',
    channel = 'google_ads, meta_ads, linkedin_ads, hubspot or iterable',
    touch_type = 'ad_click, ad_landing, sales_email, sales_call, sales_meeting or email_click',
    campaign_key = '<platform>:<campaign id> for ad touches (entity_campaigns.campaign_key), iterable:<campaign id> for emails; NULL for sales touches',
    touch_position = '1 for the first touch before the sign-up, counting up in time order',
    path_length = 'Touches before the sign-up on this conversion''s path',
    days_before_conversion = 'Days from the touch to the sign-up (fractional)',
    first_touch_credit = '1 for the first touch of the path, else 0',
    last_touch_credit = '1 for the last touch before the sign-up, else 0',
    linear_credit = '1 ÷ path_length',
    time_decay_credit = '2^(−days_before_conversion ÷ 7) ÷ the sum of those weights over the path',
    u_shaped_credit = '0.4 first, 0.4 last, 0.2 ÷ (path_length − 2) each in the middle; 0.5 each for two touches; 1 for one',
    converted_mrr = 'MRR of the converted customer now, currency units (0 if none)',
    touched_at = 'When the touch happened',
    converted_at = 'When the account signed up'
  )
);

WITH paths AS (
  SELECT
    account_id,
    touchpoint_id,
    channel,
    touch_type,
    campaign_key,
    days_before_signup AS days_before_conversion,
    touched_at,
    signed_up_at AS converted_at,
    ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY touched_at, channel, touchpoint_id) AS touch_position,
    COUNT(*) OVER (PARTITION BY account_id) AS path_length
  FROM intermediate.int_marketing__touchpoints
  WHERE account_id IS NOT NULL AND is_before_signup AND signed_up_at IS NOT NULL
), credited AS (
  SELECT
    p.*,
    @attribution_first_touch(p.touch_position, p.path_length) AS first_touch_credit,
    @attribution_last_touch(p.touch_position, p.path_length) AS last_touch_credit,
    @attribution_linear(p.touch_position, p.path_length) AS linear_credit,
    @attribution_time_decay(p.days_before_conversion, p.account_id) AS time_decay_credit,
    @attribution_u_shaped(p.touch_position, p.path_length) AS u_shaped_credit
  FROM paths AS p
)
SELECT
  /* ids */
  c.account_id::UUID AS account_id,
  c.account_id::TEXT AS customer_key,
  c.touchpoint_id::TEXT AS touchpoint_id,
  c.campaign_key::TEXT AS campaign_key,
  /* attributes */
  c.channel::TEXT AS channel,
  c.touch_type::TEXT AS touch_type,
  c.touch_position::INT AS touch_position,
  c.path_length::INT AS path_length,
  /* measures */
  c.days_before_conversion::NUMERIC(12, 4) AS days_before_conversion,
  ROUND(c.first_touch_credit, 10)::NUMERIC(12, 10) AS first_touch_credit,
  ROUND(c.last_touch_credit, 10)::NUMERIC(12, 10) AS last_touch_credit,
  ROUND(c.linear_credit, 10)::NUMERIC(12, 10) AS linear_credit,
  ROUND(c.time_decay_credit, 10)::NUMERIC(12, 10) AS time_decay_credit,
  ROUND(c.u_shaped_credit, 10)::NUMERIC(12, 10) AS u_shaped_credit,
  COALESCE(e.monthly_recurring_revenue, 0)::NUMERIC(18, 2) AS converted_mrr,
  /* timestamps */
  c.touched_at::TIMESTAMPTZ AS touched_at,
  c.converted_at::TIMESTAMPTZ AS converted_at
FROM credited AS c
LEFT JOIN entity.entity_customers AS e
  ON e.customer_key = c.account_id::TEXT;

/* Every conversion's credits sum to 1 under each model (to rounding). Returns the conversions
   that do not. */
AUDIT (
  name assert_credits_sum_to_one
);

SELECT
  account_id,
  SUM(first_touch_credit) AS first_touch,
  SUM(last_touch_credit) AS last_touch,
  SUM(linear_credit) AS linear,
  SUM(time_decay_credit) AS time_decay,
  SUM(u_shaped_credit) AS u_shaped
FROM @this_model
GROUP BY account_id
HAVING
  ABS(SUM(first_touch_credit) - 1) > 0.000001
  OR ABS(SUM(last_touch_credit) - 1) > 0.000001
  OR ABS(SUM(linear_credit) - 1) > 0.000001
  OR ABS(SUM(time_decay_credit) - 1) > 0.000001
  OR ABS(SUM(u_shaped_credit) - 1) > 0.000001
