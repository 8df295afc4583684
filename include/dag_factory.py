"""The one shape every extract DAG has: a task per raw table of its source, each updating that
table's Asset, every 15 minutes, under the el share of the freshness SLA. DAG files call
`el_dag(source, __doc__)` and nothing else."""
from __future__ import annotations

from airflow.sdk import dag, task

from include.airflow_tasks import load_raw_table
from include.assets import raw_assets
from include.dag_defaults import DEFAULT_ARGS, START_DATE
from include.sla import freshness_deadline


def el_dag(source: str, doc_md: str):
    @dag(
        dag_id=f"el__{source}",
        schedule="*/15 * * * *",
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        deadline=freshness_deadline("el"),
        default_args=DEFAULT_ARGS,
        tags=["el", f"source:{source}"],
        doc_md=doc_md,
    )
    def extract_load():
        for table, asset in raw_assets(source).items():
            task(load_raw_table, task_id=f"load__{table}", outlets=[asset])(source=source, table=table)

    return extract_load()
