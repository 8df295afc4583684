"""The callables of the quality DAG. Connections come from Airflow at run time."""
from __future__ import annotations


def check_layer(layer: str) -> dict:
    """Run the layer's checkpoints against the warehouse. A broken rule fails the task at once,
    without retries (the data will not change by retrying), with the rule, table and rows."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.airflow_tasks import connection_url
    from include.quality.runner import QualityFailure, run_layer

    try:
        return run_layer(connection_url(WAREHOUSE_CONN_ID), layer).summary()
    except QualityFailure as failure:
        raise AirflowFailException(str(failure)) from None


def data_docs() -> str:
    """Rebuild the data docs site from every suite and kept result; the path of its index.html."""
    from include.quality.runner import build_data_docs

    return str(build_data_docs())
