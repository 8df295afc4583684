/* One row per HubSpot owner (a sales rep or support agent who owns records), as the latest clean
   read of /crm/v3/owners holds them. Records point at owners through hubspot_owner_id. */
MODEL (
  name staging.stg_hubspot__owners,
  kind FULL,
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
  SELECT * FROM raw_hubspot.owners WHERE CARDINALITY(_flags) = 0
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
FROM latest
