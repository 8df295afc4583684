"""
### quality: Great Expectations checkpoints after every transform

Runs when the transform has updated its tables. One task per layer (raw, entity, crm, marts,
metrics) runs that layer's suites, one GX checkpoint per table (include/quality/suites/), and
fails on a broken rule with a log line naming the suite, the rule, the table and a sample of the
offending rows. Every rule's result goes to `elt_meta.quality_results`; `data_docs` then rebuilds
the data docs site (expectations/uncommitted/data_docs/local_site/index.html), even when a layer
failed; the run fails when any layer did.

Deadline: its share of the 15-minute freshness SLA (include/sla.py).
Connection: `warehouse`, from AIRFLOW_CONN_WAREHOUSE.
Runbook: a failed layer task means the data broke a rule; fix the data or the model, re-run the
transform, and this DAG runs again. Clearing the task re-checks the same data.
"""
from airflow.sdk import dag, task

from include.assets import transform_output_assets
from include.dag_defaults import DEFAULT_ARGS, START_DATE
from include.quality.suites import LAYERS
from include.quality.tasks import check_layer, data_docs
from include.sla import freshness_deadline


@dag(
    schedule=transform_output_assets(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    deadline=freshness_deadline("quality"),
    default_args=DEFAULT_ARGS,
    tags=["quality", "great_expectations"],
    doc_md=__doc__,
)
def quality():
    checks = [task(check_layer, task_id=layer)(layer) for layer in LAYERS]
    # A teardown runs after the checks whatever their outcome, and leaves the run's state to them:
    # a broken rule fails the run, and the docs still show it.
    checks >> task(data_docs, task_id="data_docs")().as_teardown()


quality()
