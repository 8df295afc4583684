"""
### el__app: the app database into `raw_app.*`

Every 15 minutes, one task per table in `include/sources/app/manifest.yml` streams the rows changed
since that table's watermark (plus a 10-minute overlap for late commits) from the app database
into `raw_app.<table>` with COPY, records hard deletes as tombstones, and commits rows, ledger and
watermark in one transaction. Each task updates the Asset of its raw table.

Connections: `app_db` (source) and `warehouse`, from AIRFLOW_CONN_* variables.
Runbook: a failed task is safe to clear and re-run; see include/sources/app/README.md.
"""
from airflow.sdk import dag, task

from include.airflow_tasks import load_app_table
from include.assets import raw_assets
from include.dag_defaults import DEFAULT_ARGS, START_DATE


@dag(
    schedule="*/15 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["el", "source:app"],
    doc_md=__doc__,
)
def el__app():
    for table, asset in raw_assets("app").items():
        task(load_app_table, task_id=f"load__{table}", outlets=[asset])(table=table)


el__app()
