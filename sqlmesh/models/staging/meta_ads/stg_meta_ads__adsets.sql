/* One row per Meta ad set in its latest state: a campaign's audience, placement and bidding. */
MODEL (
  name staging.stg_meta_ads__adsets,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key adset_id
  ),
  grain adset_id,
  audits (
    unique_values(columns := (adset_id)),
    not_null(columns := (adset_id, campaign_id, adset_name, adset_status, created_at, updated_at))
  ),
  column_descriptions (
    adset_id = 'Meta ad set id',
    publisher_platforms = 'JSON array of placements (facebook, instagram)',
    targeting = 'The full targeting spec as JSON'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.adsets
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS adset_id,
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'campaign_id')::TEXT AS campaign_id,
  (payload ->> 'name')::TEXT AS adset_name,
  (payload ->> 'status')::TEXT AS adset_status,
  (payload ->> 'billing_event')::TEXT AS billing_event,
  (payload ->> 'optimization_goal')::TEXT AS optimization_goal,
  (payload -> 'targeting' -> 'publisher_platforms')::JSONB AS publisher_platforms,
  (payload -> 'targeting')::JSONB AS targeting,
  (payload ->> 'start_time')::TIMESTAMPTZ AS start_at,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updated_time')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (adset_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
