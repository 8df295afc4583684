"""
### el__iterable: Iterable (lifecycle email) into `raw_iterable.*`

Every 15 minutes, one task per entity in `include/sources/iterable/manifest.yml`. Users and the
email and custom events (sends, opens, clicks, bounces, unsubscribes, NPS and CSAT survey
responses) come from Iterable's export API by date range, from each table's watermark minus a
1-hour overlap; lists and campaigns are read in full. Each task loads its records into
`raw_iterable.<entity>` with COPY, keeps only versions raw lacks, and commits rows, ledger and
watermark in one transaction; it updates the Asset of its raw table.

Connections: `iterable_api` (host, port, API key as password) and `warehouse`, from AIRFLOW_CONN_*.
Runbook: a failed task is safe to clear and re-run; see include/sources/iterable/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("iterable", __doc__)
