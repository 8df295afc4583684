/* One row per Meta ad in its latest state; its creative's url_tags carry the UTM parameters. */
MODEL (
  name staging.stg_meta_ads__ads,
  /* Each run merges the latest version of every key in the batches raw received since the
     last run: the table equals the latest version of every key, without re-reading raw's
     whole history. */
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key ad_id
  ),
  grain ad_id,
  audits (
    unique_values(columns := (ad_id)),
    not_null(columns := (ad_id, adset_id, campaign_id, ad_name, ad_status, created_at, updated_at))
  ),
  column_descriptions (
    ad_id = 'Meta ad id',
    url_tags = 'Query string the creative appends to its links (utm_source, utm_medium, utm_campaign)'
  )
);

WITH clean AS (
  SELECT * FROM raw_meta_ads.ads
  WHERE
    CARDINALITY(_flags) = 0
    /* Only batches newer than the newest one merged: a table's batches never overlap (its el DAG
       runs one at a time), so they commit in _extracted_at order. */
    AND _extracted_at > COALESCE((SELECT MAX(_loaded_at) FROM @this_model), '-infinity'::TIMESTAMPTZ)
), latest AS (
  @deduplicate(clean, [id], ['_extracted_at DESC', 'cursor_at DESC NULLS LAST'])
)
SELECT
  (payload ->> 'id')::TEXT AS ad_id,
  (payload ->> 'account_id')::TEXT AS account_id,
  (payload ->> 'campaign_id')::TEXT AS campaign_id,
  (payload ->> 'adset_id')::TEXT AS adset_id,
  (payload ->> 'name')::TEXT AS ad_name,
  (payload ->> 'status')::TEXT AS ad_status,
  (payload -> 'creative' ->> 'id')::TEXT AS creative_id,
  (payload -> 'creative' ->> 'url_tags')::TEXT AS url_tags,
  (payload ->> 'created_time')::TIMESTAMPTZ AS created_at,
  (payload ->> 'updated_time')::TIMESTAMPTZ AS updated_at,
  _extracted_at::TIMESTAMPTZ AS _loaded_at
FROM latest;

-- The merge looks each key up and each run reads the newest _loaded_at: index both once, when the
-- physical table is created.
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (ad_id));
@IF(@runtime_stage = 'creating', CREATE INDEX ON @this_model USING btree (_loaded_at));
