"""The callable the governance DAG runs; the warehouse connection comes from Airflow at run time."""
from __future__ import annotations


def apply_warehouse_governance() -> dict:
    """Roles, masked views and grants of the warehouse, made to match include/governance/policy.py."""
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.airflow_tasks import connection_url
    from include.governance.apply import apply_governance

    return apply_governance(connection_url(WAREHOUSE_CONN_ID))
