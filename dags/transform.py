"""
### transform: SQLMesh builds the warehouse layers

Runs when every raw Asset has been updated since its last run. It applies the SQLMesh project to
prod (a no-op unless the code changed) and then `sqlmesh run`s every model whose interval is due,
through SQLMesh's Python API. One run at a time, and its task takes the one slot of the `sqlmesh`
pool (shared with the review DAG's plan): SQLMesh plans must never overlap. Freshness SLA: done
within 7 minutes of being queued (include/sla.py).

Connection: `warehouse`, from AIRFLOW_CONN_WAREHOUSE.
"""
from airflow.sdk import dag, task

from include.airflow_tasks import run_transform
from include.assets import all_raw_assets, transform_output_assets
from include.dag_defaults import DEFAULT_ARGS, SQLMESH_POOL, START_DATE
from include.sla import freshness_deadline


@dag(
    schedule=all_raw_assets(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    deadline=freshness_deadline("transform"),
    default_args=DEFAULT_ARGS,
    tags=["transform", "sqlmesh"],
    doc_md=__doc__,
)
def transform():
    task(run_transform, task_id="sqlmesh_run", pool=SQLMESH_POOL, outlets=transform_output_assets())()


transform()
