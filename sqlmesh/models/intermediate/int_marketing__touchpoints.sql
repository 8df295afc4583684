/* One row per marketing touch of an app account, in time order, for attribution:
     ad clicks and landings from Google Ads (click_views, gclid), Meta Ads (landings, fbclid) and
     LinkedIn Ads (landings), each carrying the account id the landing page recorded and its utm;
     HubSpot sales touches (emails, calls, meetings) of the account's company;
     Iterable email clicks of the account's users.
   touch_number counts the account's touches from 1 in time order (ties broken by channel and id);
   is_first_touch / is_last_touch mark the ends of the path. Touches that name no app account
   (an anonymous click) are kept with account_id NULL and no position. Conversion (the account's
   sign-up) is app accounts' created_at: touches_before_signup, is_before_signup and
   days_before_signup let attribution models keep the touches before it. */
MODEL (
  name intermediate.int_marketing__touchpoints,
  kind FULL,
  grain touchpoint_id,
  audits (
    unique_values(columns := (touchpoint_id)),
    not_null(columns := (touchpoint_id, channel, touch_type, touched_at)),
    accepted_values(column := channel, is_in := ('google_ads', 'meta_ads', 'linkedin_ads', 'hubspot', 'iterable')),
    assert_non_negative(columns := (touch_number))
  ),
  column_descriptions (
    touchpoint_id = '<channel>:<source id> of the touch',
    account_id = 'The app account touched; NULL for an anonymous ad click',
    channel = 'google_ads, meta_ads, linkedin_ads, hubspot or iterable',
    touch_type = 'ad_click, ad_landing, sales_email, sales_call, sales_meeting or email_click',
    campaign_key = '<platform>:<campaign id> for ad touches (entity_campaigns.campaign_key), iterable:<campaign id> for emails',
    touch_number = '1 for the account''s first touch, counting up in time order; NULL without an account',
    is_before_signup = 'The touch happened before the account signed up (its created_at)',
    days_before_signup = 'Days from the touch to the sign-up (fractional); NULL without an account'
  )
);

WITH touches AS (
  SELECT
    'google_ads:' || gclid AS touchpoint_id, app_account_id::UUID AS account_id, 'google_ads' AS channel,
    'ad_click' AS touch_type, 'google_ads:' || campaign_id AS campaign_key, utm_source, utm_medium,
    utm_campaign, landing_url, clicked_at AS touched_at
  FROM staging.stg_google_ads__click_views
  UNION ALL
  SELECT
    'meta_ads:' || landing_id, app_account_id::UUID, 'meta_ads', 'ad_landing', 'meta_ads:' || campaign_id,
    utm_source, utm_medium, utm_campaign, landing_url, clicked_at
  FROM staging.stg_meta_ads__landings
  UNION ALL
  SELECT
    'linkedin_ads:' || landing_id, app_account_id::UUID, 'linkedin_ads', 'ad_landing', 'linkedin_ads:' || campaign_id,
    utm_source, utm_medium, utm_campaign, landing_url, clicked_at
  FROM staging.stg_linkedin_ads__landings
  UNION ALL
  SELECT
    'hubspot:email:' || e.email_id, c.app_account_id::UUID, 'hubspot', 'sales_email', NULL, NULL, NULL, NULL, NULL,
    e.occurred_at
  FROM staging.stg_hubspot__emails AS e
  JOIN staging.stg_hubspot__companies AS c
    ON c.company_id = e.company_id
  WHERE NOT COALESCE(e.is_deleted, FALSE) AND e.occurred_at IS NOT NULL
  UNION ALL
  SELECT
    'hubspot:call:' || k.call_id, c.app_account_id::UUID, 'hubspot', 'sales_call', NULL, NULL, NULL, NULL, NULL,
    k.occurred_at
  FROM staging.stg_hubspot__calls AS k
  JOIN staging.stg_hubspot__companies AS c
    ON c.company_id = k.company_id
  WHERE NOT COALESCE(k.is_deleted, FALSE) AND k.occurred_at IS NOT NULL
  UNION ALL
  SELECT
    'hubspot:meeting:' || m.meeting_id, c.app_account_id::UUID, 'hubspot', 'sales_meeting', NULL, NULL, NULL, NULL,
    NULL, m.occurred_at
  FROM staging.stg_hubspot__meetings AS m
  JOIN staging.stg_hubspot__companies AS c
    ON c.company_id = m.company_id
  WHERE NOT COALESCE(m.is_deleted, FALSE) AND m.occurred_at IS NOT NULL
  UNION ALL
  SELECT
    'iterable:' || k.event_id, u.account_id::UUID, 'iterable', 'email_click', 'iterable:' || k.campaign_id,
    'iterable', 'email', NULL, k.url, k.created_at
  FROM staging.stg_iterable__email_clicks AS k
  LEFT JOIN staging.stg_iterable__users AS u
    ON u.email = k.email
  WHERE k.created_at IS NOT NULL
), deduplicated AS (
  SELECT DISTINCT ON (touchpoint_id) *
  FROM touches
  ORDER BY touchpoint_id, touched_at
)
SELECT
  /* ids */
  t.touchpoint_id::TEXT AS touchpoint_id,
  t.account_id::UUID AS account_id,
  t.campaign_key::TEXT AS campaign_key,
  /* attributes */
  t.channel::TEXT AS channel,
  t.touch_type::TEXT AS touch_type,
  t.utm_source::TEXT AS utm_source,
  t.utm_medium::TEXT AS utm_medium,
  t.utm_campaign::TEXT AS utm_campaign,
  t.landing_url::TEXT AS landing_url,
  (CASE WHEN t.account_id IS NOT NULL THEN
    ROW_NUMBER() OVER (PARTITION BY t.account_id ORDER BY t.touched_at, t.channel, t.touchpoint_id)
  END)::INT AS touch_number,
  (CASE WHEN t.account_id IS NOT NULL THEN
    COUNT(*) OVER (PARTITION BY t.account_id)
  END)::INT AS account_touches,
  (t.account_id IS NOT NULL AND ROW_NUMBER() OVER (PARTITION BY t.account_id ORDER BY t.touched_at, t.channel, t.touchpoint_id) = 1)::BOOLEAN
    AS is_first_touch,
  (t.account_id IS NOT NULL AND ROW_NUMBER() OVER (PARTITION BY t.account_id ORDER BY t.touched_at DESC, t.channel DESC, t.touchpoint_id DESC) = 1)::BOOLEAN
    AS is_last_touch,
  COALESCE(t.touched_at < a.created_at, FALSE)::BOOLEAN AS is_before_signup,
  ROUND(EXTRACT(EPOCH FROM a.created_at - t.touched_at) / 86400, 4)::NUMERIC(12, 4) AS days_before_signup,
  /* timestamps */
  t.touched_at::TIMESTAMPTZ AS touched_at,
  a.created_at::TIMESTAMPTZ AS signed_up_at
FROM deduplicated AS t
LEFT JOIN staging.stg_app__accounts AS a
  ON a.account_id = t.account_id
