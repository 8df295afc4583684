"""DAG integrity: every file in dags/ imports cleanly, follows the house rules, and does no
database or network I/O at import time."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from include.paths import DAGS_DIR, REPO_ROOT

DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def el_dag_ids() -> list[str]:
    from include.sources import registry

    return [f"el__{s}" for s in registry.available()]


# The DAG tasks that run a SQLMesh plan: they share the one slot of the `sqlmesh` pool.
PLAN_TASKS = {("transform", "sqlmesh_run"), ("review", "plan")}
# The DAGs that run SQLMesh or GX: never two runs at once.
SQLMESH_OR_GX_DAGS = {"transform", "quality", "review"}


def test_there_are_dags():
    assert {p.stem for p in DAG_FILES} >= set(el_dag_ids()) | {"transform", "quality", "review", "simulate"}


def test_every_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {p.stem for p in DAG_FILES} == set(dagbag.dag_ids), "one DAG per file, dag_id == file name"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_house_rules(dagbag, path):
    dag = dagbag.dags[path.stem]
    assert dag.doc_md and len(dag.doc_md.strip()) > 40, "doc_md explains the DAG"
    assert dag.tags, "tags"
    assert dag.max_active_runs == 1
    for t in dag.tasks:
        assert t.owner and t.owner != "airflow", f"{t.task_id}: owner"
        assert t.retries >= 2, f"{t.task_id}: retries"


def test_every_raw_table_has_its_own_asset(dagbag):
    from include.sources import registry

    all_outlets = set()
    for source in registry.available():
        outlets = [a.name for t in dagbag.dags[f"el__{source}"].tasks for a in t.outlets]
        assert sorted(outlets) == sorted(f"raw_{source}.{t}" for t in registry.raw_tables(source))
        all_outlets |= set(outlets)
    scheduled_on = {a.name for a in dagbag.dags["transform"].timetable.asset_condition.objects}
    assert scheduled_on == all_outlets, "transform is scheduled on every raw Asset"


def test_every_el_dag_runs_every_15_minutes(dagbag):
    for dag_id in el_dag_ids() + ["simulate"]:
        assert dagbag.dags[dag_id].schedule == "*/15 * * * *", dag_id
        assert not dagbag.dags[dag_id].catchup, dag_id


def test_quality_is_scheduled_on_the_transform_outlets(dagbag):
    outlets = {a.name for t in dagbag.dags["transform"].tasks for a in t.outlets}
    assert {a.name for a in dagbag.dags["quality"].timetable.asset_condition.objects} == outlets


def test_sqlmesh_and_gx_never_run_concurrently(dagbag):
    from include.dag_defaults import SQLMESH_POOL

    for dag_id in SQLMESH_OR_GX_DAGS:
        assert dagbag.dags[dag_id].max_active_runs == 1, dag_id
    for dag_id, task_id in PLAN_TASKS:
        assert dagbag.dags[dag_id].get_task(task_id).pool == SQLMESH_POOL, f"{dag_id}.{task_id}"
    assert {(t.dag_id, t.task_id) for d in dagbag.dags.values() for t in d.tasks
            if t.pool == SQLMESH_POOL} == PLAN_TASKS, "the pool is for plans only"


def test_the_chain_carries_the_freshness_deadline(dagbag):
    from include.sla import BUDGETS, FRESHNESS_SLA

    stages = {**dict.fromkeys(el_dag_ids(), "el"), "transform": "transform", "quality": "quality"}
    expected_reference = {"el": "DagRunLogicalDateDeadline", "transform": "DagRunQueuedAtDeadline",
                          "quality": "DagRunQueuedAtDeadline"}
    for dag_id, stage in stages.items():
        (alert,) = dagbag.dags[dag_id].deadline or [None]
        assert alert is not None, f"{dag_id} has a deadline"
        assert type(alert.reference).__name__ == expected_reference[stage], dag_id
        assert alert.interval == BUDGETS[stage], dag_id
        assert alert.callback.path == "include.sla.on_deadline_missed"
        assert alert.callback.kwargs == {"stage": stage}
    assert sum(BUDGETS.values(), start=FRESHNESS_SLA * 0) == FRESHNESS_SLA, "the shares add up to the SLA"


def test_review_takes_a_branch_and_simulate_is_demo_only(dagbag):
    review = dagbag.dags["review"]
    assert review.schedule is None, "reviews run when asked"
    assert review.params.get_param("branch").schema == {"type": "string", "minLength": 1}
    assert "demo" in dagbag.dags["simulate"].tags


# Imports every DAG file in a fresh interpreter whose sockets refuse to connect, with every
# connection pointing at a dead port, and reports any connection attempt.
_PROBE = r"""
import importlib.util, json, socket, sys
attempts = []
def refuse(self, address, *a, **k):
    attempts.append(repr(address))
    raise OSError("network disabled during DAG import")
socket.socket.connect = refuse
socket.socket.connect_ex = lambda self, address: attempts.append(repr(address)) or 111
socket.create_connection = lambda address, *a, **k: refuse(None, address)
errors = {}
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("dag_" + path.rsplit("/", 1)[-1][:-3], path)
    try:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    except Exception as exc:
        errors[path] = repr(exc)
print(json.dumps({"attempts": attempts, "errors": errors}))
"""


def test_no_io_at_import():
    dead = "postgresql://postgres:secret@127.0.0.1:9/warehouse"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "HOME": str(REPO_ROOT / ".local"),
           "ELT_WAREHOUSE_URL": dead, "ELT_APP_DB_URL": dead.replace("warehouse", "app"),
           "AIRFLOW_CONN_WAREHOUSE": dead, "AIRFLOW_CONN_APP_DB": dead,
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW_HOME": str(REPO_ROOT / ".local" / "airflow-import-probe")}
    out = subprocess.run([sys.executable, "-c", _PROBE, *map(str, DAG_FILES)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["errors"] == {}
    assert report["attempts"] == [], "DAG files must not open connections at import"
