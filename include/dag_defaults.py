"""Settings every DAG shares, so owner, retries and catch-up are decided once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
}
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

# SQLMesh plans must never run concurrently, across DAGs too: every task that plans takes the one
# slot of this pool (include/airflow_runtime.py `migrate` creates it).
SQLMESH_POOL = "sqlmesh"
