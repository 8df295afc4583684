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


def test_there_are_dags():
    from include.sources import registry

    assert {p.stem for p in DAG_FILES} == {f"el__{s}" for s in registry.available()} | {"transform"}


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
