"""
### simulate: the demo's business clock moves 15 minutes

Demo only. Every 15 minutes the simulator advances the app database's clock by 15 minutes, so the
app tables and the mock APIs gain the next quarter hour of business and a running Airflow shows
live data flowing through the el DAGs, the transform and the quality checks.

Connection: `app_db`, from AIRFLOW_CONN_APP_DB.
"""
from airflow.sdk import dag, task

from include.airflow_tasks import advance_business_clock
from include.dag_defaults import DEFAULT_ARGS, START_DATE


@dag(
    schedule="*/15 * * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["demo", "simulation"],
    doc_md=__doc__,
)
def simulate():
    task(advance_business_clock, task_id="advance_clock")()


simulate()
