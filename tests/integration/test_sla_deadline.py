"""The freshness SLA with the real Airflow runtime: a DAG run whose deadline has passed makes the
scheduler fire the deadline's callback on the LocalExecutor, and the default notifier logs one
line and writes one row into elt_meta.sla_misses; a run still inside its deadline adds nothing.

The el DAG stays paused (as every DAG is when first parsed), so the scheduler evaluates deadlines
without running the DAG's tasks. About 45 s: metadata migration, DAG serialisation, one scheduler."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from include.airflow_runtime import airflow_env, migrate
from include.errors import EltError
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

pytestmark = pytest.mark.slow
AIRFLOW = str(Path(sys.executable).parent / "airflow")


def test_a_missed_deadline_logs_and_records_the_miss(fresh_db, tmp_path):
    warehouse = fresh_db("sla")
    home = tmp_path / "airflow"
    wh = Warehouse(warehouse, warehouse.with_database("unused"), False)
    env = {**airflow_env(wh, home), "ELT_WAREHOUSE_URL": warehouse.url}
    env.pop("ELT_SLA_NOTIFIER", None)

    def airflow(*args: str) -> str:
        out = subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    def trigger(logical_date: datetime) -> str:
        out = airflow("dags", "trigger", "el__app", "--logical-date", logical_date.isoformat(), "-o", "json")
        return json.loads(next(line for line in out.splitlines() if line.startswith("[{")))[0]["dag_run_id"]

    migrate(wh, home)
    airflow("dags", "reserialize")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    late_run = trigger(now - timedelta(hours=1))  # due 55 minutes ago
    trigger(now)                                  # due in 5 minutes: no miss

    log = open(tmp_path / "scheduler.log", "wb")
    scheduler = subprocess.Popen([AIRFLOW, "scheduler", "--skip-serve-logs"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT)
    try:
        rows = _wait_for_misses(warehouse, scheduler, timeout=90)
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)

    assert [(r[0], r[1]) for r in rows] == [("el__app", late_run)], "only the late run is a miss"
    dag_id, run_id, deadline, detected_at, detail = rows[0]
    assert deadline == now - timedelta(hours=1) + timedelta(minutes=5), "due 5 minutes after its scheduled time"
    assert deadline < detected_at <= datetime.now(timezone.utc)
    assert "el stage has 5 of the chain's 15 minutes" in detail
    (callback_log,) = (home / "logs" / "executor_callbacks" / "el__app" / late_run).iterdir()
    assert f"SLA miss: el__app run {late_run} was not done by its deadline" in callback_log.read_text()


def _wait_for_misses(warehouse, scheduler, timeout: float) -> list[tuple]:
    """The SLA misses once the first lands, and a few seconds more for any wrongly raised second one."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert scheduler.poll() is None, "the scheduler exited"
        with connect(warehouse) as conn:
            if conn.execute("SELECT to_regclass('elt_meta.sla_misses')").fetchone()[0]:
                time.sleep(5)
                return conn.execute("SELECT dag_id, run_id, deadline, detected_at, detail "
                                    "FROM elt_meta.sla_misses ORDER BY detected_at").fetchall()
        time.sleep(1)
    raise AssertionError(f"no SLA miss recorded within {timeout:.0f} s")


class RecordingNotifier:
    """A notifier a deployment could plug in: here it keeps what it was given."""
    received: list = []

    def notify(self, miss) -> None:
        self.received.append(miss)


def test_the_notifier_is_chosen_by_a_setting(monkeypatch):
    from include import sla

    RecordingNotifier.received.clear()
    monkeypatch.setenv("ELT_SLA_NOTIFIER", f"{__name__}:RecordingNotifier")
    context = {"dag_run": {"dag_id": "transform", "dag_run_id": "asset_triggered__x", "state": "running"},
               "deadline": {"id": "d", "deadline_time": "2026-12-01T10:07:00Z"}}
    sla.on_deadline_missed("transform", context)
    (miss,) = RecordingNotifier.received
    assert (miss.dag_id, miss.run_id) == ("transform", "asset_triggered__x")
    assert miss.deadline == datetime(2026, 12, 1, 10, 7, tzinfo=timezone.utc)
    assert "transform stage has 7 of the chain's 15 minutes, counted from when it was queued" in miss.detail

    for bad, says in [("include.sla", "is not module:attr"), ("include.nowhere:X", "cannot be loaded"),
                      ("include.errors:EltError", "has no notify"), ("include.sla:SlaMiss", "cannot be created")]:
        monkeypatch.setenv("ELT_SLA_NOTIFIER", bad)
        with pytest.raises(EltError, match=says):
            sla.notifier()
