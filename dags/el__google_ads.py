"""
### el__google_ads: Google Ads into `raw_google_ads.*`

Every 15 minutes, one task per entity in `include/sources/google_ads/manifest.yml` runs a GAQL query
through `googleAds:searchStream` (API v20) for every accessible customer and loads the rows into
`raw_google_ads.<entity>` with COPY; rows, ledger and watermark commit in one transaction.
Campaigns, ad groups and ads are re-read in full (Google resources carry no modification time);
`ad_performance` re-pulls the last 3 days, which Google restates as conversions come in, and
`click_views` the last day. Changed rows become new versions (raw dedupes by payload hash).
Each task updates the Asset of its raw table.

Connections: `google_ads_api` (OAuth token `ya29...`; developer token from
ELT_GOOGLE_ADS_DEVELOPER_TOKEN) and `warehouse`, from AIRFLOW_CONN_* variables.
Runbook: a failed task is safe to clear and re-run; see include/sources/google_ads/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("google_ads", __doc__)
