"""
### el__hubspot: HubSpot CRM into `raw_hubspot.*`

Every 15 minutes, one task per entity in `include/sources/hubspot/manifest.yml`. Companies,
contacts, deals, products, line items, tickets and the engagements (calls, emails, meetings, notes,
tasks) come from the CRM search API, filtered on the last-modified property from each table's
watermark minus a 15-minute overlap (restarting after the last id read whenever a query nears the
10,000-result cap), with their associations from the v4 batch endpoint; archived objects come from
the `archived=true` listing and land flagged deleted. Owners and the deal and ticket pipelines are
read in full. Each task loads its records into `raw_hubspot.<entity>` with COPY, keeps only
versions raw lacks, and commits rows, ledger and watermark in one transaction; it updates the
Asset of its raw table.

Connections: `hubspot_api` (host, port, private app token as password) and `warehouse`, from AIRFLOW_CONN_*.
Runbook: a failed task is safe to clear and re-run; see include/sources/hubspot/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("hubspot", __doc__)
