"""
### governance: roles, PII masking and grants on the warehouse

Runs after every transform run (on the Assets the transform updates), because a SQLMesh plan that
promotes a new model version replaces the model's view and so drops the grants and masked view on
it. One task, idempotent: it creates the platform's roles if missing (executive, one analyst role
per domain, operations, pii_reader, loader, transformer), sets statement logging on everyone
who reads through one, rebuilds the `<schema>_masked` views over the tables with personal data,
and revokes and re-grants every privilege of those roles from `include/governance/policy.py`,
in one transaction. See `include/governance/README.md`.

Connection: `warehouse`, from AIRFLOW_CONN_WAREHOUSE (a superuser: it manages roles).
"""
from airflow.sdk import dag, task

from include.assets import transform_output_assets
from include.dag_defaults import DEFAULT_ARGS, START_DATE
from include.governance.tasks import apply_warehouse_governance


@dag(
    schedule=transform_output_assets(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["governance", "access"],
    doc_md=__doc__,
)
def governance():
    task(apply_warehouse_governance, task_id="apply_grants")()


governance()
