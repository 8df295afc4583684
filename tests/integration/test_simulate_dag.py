"""The demo's simulate DAG with the real Airflow runtime (`airflow dags test simulate`): it moves the
business clock of the app database its `app_db` connection names by exactly 15 minutes, at the
seed and scale that database was built with, and the quarter hour brings new business; without a
simulated history it fails with one line saying what to do."""
from __future__ import annotations

import datetime as dt

import pytest

from include.airflow_runtime import airflow, migrate
from include.simulation import simulate, simulated_clock
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

pytestmark = pytest.mark.slow


def events(app) -> int:
    with connect(app) as conn:
        return conn.execute("SELECT count(*) FROM public.tap_events").fetchone()[0]


def test_simulate_dag_advances_the_clock_fifteen_minutes(fresh_db, tmp_path):
    app = fresh_db("app")
    wh, home = Warehouse(fresh_db("wh"), app, False), tmp_path / "airflow"
    migrate(wh, home)

    # The task alone, once (`tasks test`: `dags test` would wait out its two retries). It exits 0
    # whatever the task did, so the task's failure is read from its log.
    result = airflow(wh, "tasks", "test", "simulate", "advance_clock", capture=True, check=False, home=home)
    logs = "\n".join(p.read_text() for p in (home / "logs").rglob("*.log")) + result.stdout + result.stderr
    assert "Task failed with exception" in logs, "nothing simulated yet: the task fails"
    assert "nothing is simulated in" in logs and "elt simulate --days" in logs

    simulate(app.url, days=1)
    before, pours = simulated_clock(app.url), events(app)
    result = airflow(wh, "dags", "test", "simulate", capture=True, check=False, home=home)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert simulated_clock(app.url) - before == dt.timedelta(minutes=15)
    assert events(app) > pours, "the quarter hour brought new pours"
