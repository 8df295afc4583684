"""
### el__meta_ads: Meta Ads into `raw_meta_ads.*`

Every 15 minutes, one task per entity in `include/sources/meta_ads/manifest.yml` pages a Graph API
v21.0 edge of every readable ad account (`paging.cursors.after`) into `raw_meta_ads.<entity>` with
COPY; rows, ledger and watermark commit in one transaction. Campaigns, ad sets and ads are read
incrementally (`filtering` on updated_time, an hour of overlap); `ad_insights` (level=ad,
time_increment=1) re-pulls the last 3 days, which Meta restates as conversions come in, and
`landings` the last day. Changed rows become new versions (raw dedupes by payload hash).
Each task updates the Asset of its raw table.

Connections: `meta_ads_api` (access token `EAAB...`) and `warehouse`, from AIRFLOW_CONN_* variables.
Runbook: a failed task is safe to clear and re-run; see include/sources/meta_ads/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("meta_ads", __doc__)
