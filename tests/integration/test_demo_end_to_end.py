"""The main job end to end through the real `elt` command: the simulator, the Airflow runtime
(`airflow dags test`), the COPY loads and SQLMesh, on fresh databases of the server under test."""
from __future__ import annotations

import subprocess
from pathlib import Path
import sys

import pytest

from include.paths import REPO_ROOT, SQLMESH_DIR
from include.sources import registry
from include.warehouse.connect import connect

pytestmark = pytest.mark.slow
TABLES = registry.raw_tables("app")


def elt(env, *args, timeout=900):
    result = subprocess.run([sys.executable, "-m", "include.cli", *args], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"elt {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def counts(url, schema_for):
    with connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {schema_for(t)}").fetchone()[0] for t in TABLES}


def assert_every_model_built(out):
    """The demo's layer table lists, per schema, as many built models as the project defines."""
    defined = {}
    for path in (SQLMESH_DIR / "models").rglob("*.sql"):
        layer = path.relative_to(SQLMESH_DIR / "models").parts[0]
        defined[layer] = defined.get(layer, 0) + 1
    built = {parts[0]: int(parts[1]) for parts in (line.split() for line in out.splitlines())
             if len(parts) == 3 and parts[0] in defined}
    assert built == defined, (built, defined)


def assert_checkpoints_green(out: str) -> None:
    """The demo ran governance and quality after the transform, every layer's checkpoints passed,
    and it printed where the data docs are."""
    from include.quality.suites import LAYERS

    for dag_id in ("governance", "quality"):
        assert f"DAG {dag_id} succeeded" in out
    checked = {parts[0]: int(parts[3]) for parts in (line.split() for line in out.splitlines())
               if len(parts) == 4 and parts[0] in LAYERS and parts[1].isdigit()}
    assert set(checked) == set(LAYERS) and not any(checked.values()), checked
    assert "every checkpoint green" in out
    docs = [line.split("data docs: ", 1)[1].strip() for line in out.splitlines() if "data docs: " in line]
    assert docs and Path(docs[-1]).is_file(), out[-2000:]


FAULTS = '{"rate_limit": 0.1, "server_error": 0.05, "truncate": 0.05, "duplicate": 0.2}'


def assert_api_raw_is_clean(wh_url):
    """No API raw table stores a version twice in a row for an id (re-reads and duplicate pages
    add nothing; a change back to an earlier value is a new row), and every staging model built."""
    with connect(wh_url) as conn:
        for source in (s for s in registry.available() if registry.is_api(s)):
            for t in registry.raw_tables(source):
                repeats = conn.execute(f"""SELECT count(*) FROM (
                    SELECT _version, lag(_version) OVER (PARTITION BY id ORDER BY _extracted_at,
                        cursor_at NULLS FIRST, _version) AS previous FROM raw_{source}.{t}) AS v
                    WHERE _version = previous""").fetchone()[0]
                assert repeats == 0, f"raw_{source}.{t} stores {repeats} version(s) again right after themselves"
                assert conn.execute("SELECT to_regclass(%s)", (f"staging.stg_{source}__{t}",)).fetchone()[0], t


def test_demo_twice_with_faulty_apis_matches_the_sources_and_adds_no_duplicates(platform_env):
    env = {**platform_env, "ELT_MOCK_FAULTS": FAULTS}
    out = elt(env, "up")
    assert "mock sources: started" in out
    assert "already running" in elt(env, "up"), "a second `elt up` is harmless"

    first = elt(env, "demo", "--days", "2")
    for source in registry.available():
        assert f"DAG el__{source} succeeded" in first
    assert "DAG transform succeeded" in first
    assert_every_model_built(first)
    assert_checkpoints_green(first)
    wh_url, app_url = env["ELT_WAREHOUSE_URL"], env["ELT_APP_DB_URL"]
    app = counts(app_url, lambda t: f"public.{t}")
    assert all(app.values()), app
    assert counts(wh_url, lambda t: f"staging.stg_app__{t}") == app
    with connect(wh_url) as conn:
        for t in TABLES:
            dupes = conn.execute(f"SELECT count(*) - count(DISTINCT (id, updated_at)) FROM raw_app.{t}").fetchone()[0]
            assert dupes == 0, t
        loaded_once = conn.execute("SELECT sum(rows_loaded) FROM elt_meta.batches").fetchone()[0]
        raw_after_first = dict(conn.execute(
            "SELECT table_name, count(*) FROM elt_meta.batches GROUP BY 1").fetchall())
    assert set(TABLES) <= set(raw_after_first)
    assert_api_raw_is_clean(wh_url)

    second = elt(env, "demo")  # the app is built: the demo advances it 15 minutes
    assert "advanced" in second.lower() or "clock" in second.lower()
    assert_checkpoints_green(second)
    app2 = counts(app_url, lambda t: f"public.{t}")
    assert counts(wh_url, lambda t: f"staging.stg_app__{t}") == app2
    with connect(wh_url) as conn:
        for t in TABLES:
            dupes = conn.execute(f"SELECT count(*) - count(DISTINCT (id, updated_at)) FROM raw_app.{t}").fetchone()[0]
            assert dupes == 0, t
        loaded_twice = conn.execute("SELECT sum(rows_loaded) FROM elt_meta.batches").fetchone()[0]
    assert loaded_twice > loaded_once, "the advance produced new versions"
    assert_api_raw_is_clean(wh_url)
    status = elt(env, "status")
    assert all(f"raw_app.{t}" in status for t in TABLES)
    elt(env, "down")
