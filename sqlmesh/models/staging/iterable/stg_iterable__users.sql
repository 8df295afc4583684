/* One row per Iterable user profile (keyed by email) as the latest clean export holds it: app users
   synced from the product, with their account, plan and role, and newsletter-only prospects, who
   have no account. List membership is the profile's emailListIds. */
MODEL (
  name staging.stg_iterable__users,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key email
  ),
  grain email,
  audits (
    unique_values(columns := (email)),
    not_null(columns := (email, signup_source, signup_at, profile_updated_at))
  ),
  column_descriptions (
    email = 'The profile key in Iterable, lower-cased (PII)',
    user_id = 'App user id (uuid); null for newsletter-only prospects',
    account_id = 'App account id (uuid); null for newsletter-only prospects',
    plan = 'The account''s plan when the profile was last updated',
    signup_source = 'How the profile entered Iterable: Import (first sync), API (app sign-up) or Website',
    email_list_ids = 'JSON array of the static lists the user is on (see stg_iterable__lists)',
    unsubscribed_channel_ids = 'JSON array of message channels the user unsubscribed from',
    profile_updated_at = 'When the profile last changed (the export''s cursor)'
  )
);

WITH clean AS (
  SELECT * FROM raw_iterable.users
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  LOWER(payload ->> 'email')::TEXT AS email,
  (payload ->> 'userId')::UUID AS user_id,
  (payload ->> 'account_id')::UUID AS account_id,
  (payload ->> 'firstName')::TEXT AS first_name,
  (payload ->> 'lastName')::TEXT AS last_name,
  (payload ->> 'role')::TEXT AS user_role,
  (payload ->> 'plan')::TEXT AS plan,
  (payload ->> 'signupSource')::TEXT AS signup_source,
  (payload -> 'emailListIds')::JSONB AS email_list_ids,
  (payload -> 'unsubscribedChannelIds')::JSONB AS unsubscribed_channel_ids,
  (payload ->> 'signupDate')::TIMESTAMPTZ AS signup_at,
  (payload ->> 'profileUpdatedAt')::TIMESTAMPTZ AS profile_updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (email));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
