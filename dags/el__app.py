"""
### el__app: the app database into `raw_app.*`

Every 15 minutes, one task per table in `include/sources/app/manifest.yml` streams the rows changed
since that table's watermark (plus a 10-minute overlap for late commits) from the app database
into `raw_app.<table>` with COPY, records hard deletes as tombstones, and commits rows, ledger and
watermark in one transaction. Each task updates the Asset of its raw table.

Connections: `app_db` (source) and `warehouse`, from AIRFLOW_CONN_* variables.
Runbook: a failed task is safe to clear and re-run; see include/sources/app/README.md.
"""
from include.dag_factory import el_dag

dag = el_dag("app", __doc__)
