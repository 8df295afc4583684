/* One row per HubSpot owner (a sales rep or support agent who owns records), as the latest clean
   read of /crm/v3/owners holds them. Records point at owners through hubspot_owner_id. */
MODEL (
  name staging.stg_hubspot__owners,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key owner_id
  ),
  grain owner_id,
  audits (
    unique_values(columns := (owner_id)),
    not_null(columns := (owner_id, email, created_at, updated_at))
  ),
  column_descriptions (
    owner_id = 'HubSpot owner id; owner_id on every CRM record',
    user_id = 'The HubSpot user behind the owner',
    email = 'Work email, lower-cased (PII)',
    team_name = 'Primary team: Sales or Support',
    is_archived = 'The owner was deactivated'
  )
);

WITH clean AS (
  SELECT * FROM raw_hubspot.owners
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  id::TEXT AS owner_id,
  (payload ->> 'userId')::BIGINT AS user_id,
  LOWER(payload ->> 'email')::TEXT AS email,
  (payload ->> 'firstName')::TEXT AS first_name,
  (payload ->> 'lastName')::TEXT AS last_name,
  (payload ->> 'type')::TEXT AS owner_type,
  (payload -> 'teams' -> 0 ->> 'name')::TEXT AS team_name,
  (payload ->> 'archived')::BOOLEAN AS is_archived,
  (payload ->> 'createdAt')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updatedAt')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (owner_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
