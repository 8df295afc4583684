"""
### el__linkedin_ads: LinkedIn Ads into `raw_linkedin_ads.*`

Every 15 minutes, one task per entity in `include/sources/linkedin_ads/manifest.yml` reads the
LinkedIn Marketing API (`/rest`, LinkedIn-Version 202411) for every readable ad account into
`raw_linkedin_ads.<entity>` with COPY; rows, ledger and watermark commit in one transaction.
Accounts, campaign groups, campaigns and creatives are re-read in full through their cursor-paged
finders (no modified-since filter exists); `creative_analytics` (adAnalytics, pivot CREATIVE,
DAILY, no paging) re-pulls the last 3 days, which LinkedIn restates as conversions come in, and
`landings` the last day. Changed rows become new versions (raw dedupes by payload hash).
Each task updates the Asset of its raw table.

Connections: `linkedin_ads_api` (access token `AQV...`) and `warehouse`, from AIRFLOW_CONN_* variables.
Runbook: a failed task is safe to clear and re-run; see include/sources/linkedin_ads/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("linkedin_ads", __doc__)
