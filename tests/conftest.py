"""Shared fixtures. Integration tests use a real Postgres: the server ELT_WAREHOUSE_URL names when
set, otherwise the embedded one under .local/ (started if needed). Each test gets its own
databases on that server, so the suite never touches the data of `elt demo`."""
from __future__ import annotations

import datetime
import os
import uuid
from typing import NamedTuple

import pytest

from include.paths import DAGS_DIR, LOCAL_DIR

# Before anything imports Airflow: its own home for the tests, the repo's DAGs, no examples.
os.environ.setdefault("AIRFLOW_HOME", str(LOCAL_DIR / "airflow-tests"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS_DIR))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
# A DAG file that takes longer than this to import is an import error: DAG files must stay light.
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "10")

from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl, resolve


@pytest.fixture(scope="session")
def pg_server() -> PgUrl:
    """The server under test, as a URL to its `postgres` maintenance database."""
    wh = resolve()
    if wh.embedded:
        from include.warehouse import embedded

        embedded.start()
    return wh.warehouse.with_database("postgres")


@pytest.fixture
def fresh_db(pg_server):
    """Factory: a new empty database on the server, dropped after the test."""
    created: list[str] = []

    def make(prefix: str = "t") -> PgUrl:
        # Short: SQLMesh names unit-test fixture tables <database>__<schema>__<table>, within Postgres's 63.
        name = f"elt_{prefix}_{uuid.uuid4().hex[:8]}"
        with connect(pg_server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return pg_server.with_database(name)

    yield make
    with connect(pg_server, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app_dsn(fresh_db) -> str:
    return fresh_db("app").url


@pytest.fixture
def platform_env(fresh_db, tmp_path) -> dict[str, str]:
    """Environment for running `elt` as a subprocess against fresh warehouse and app databases,
    with its own .local (Airflow home, logs) so it cannot collide with a developer's demo."""
    warehouse, app = fresh_db("wh"), fresh_db("app")
    env = dict(os.environ)
    env.update({"ELT_WAREHOUSE_URL": warehouse.url, "ELT_APP_DB_URL": app.url,
                "ELT_LOCAL_DIR": str(tmp_path / "local"), "ELT_MOCK_PORT": str(_free_port())})
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mock_sources(tmp_path):
    """Factory: start the real mock sources server (`elt mock-sources serve`) as a subprocess
    serving the given app database, optionally with faults switched on; yields its base URL."""
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    from include.paths import REPO_ROOT

    procs = []

    def start(app_url: str, faults: dict | None = None) -> str:
        port = _free_port()
        env = {**os.environ, "ELT_APP_DB_URL": app_url, "ELT_MOCK_FAULTS": json.dumps(faults or {})}
        log = open(tmp_path / f"mock-{port}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve", "--port", str(port)],
                                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    return url
            except OSError:
                assert proc.poll() is None, (tmp_path / f"mock-{port}.log").read_text()
                time.sleep(0.1)
        raise AssertionError("mock sources server did not come up")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


class BuiltWarehouse(NamedTuple):
    app: PgUrl        # the simulated app database (the simulator's truth, sim.*)
    warehouse: PgUrl  # every layer built by the platform's transform
    mock_url: str     # the real mock sources server, serving `app`
    built_at: "datetime.datetime"  # when the transform's run finished (models computed "as of now")


@pytest.fixture(scope="session")
def built_warehouse(pg_server, tmp_path_factory) -> BuiltWarehouse:
    """One warehouse for the whole session, built as the platform builds it: the simulator writes
    two days of business, every source is extracted from the app database and the real mock
    server, and include.transform.runner's plan and run build every layer. Read it, never change
    it: a test that breaks data on purpose works on `warehouse_copy()`."""
    import secrets
    import subprocess
    import sys
    import time
    import urllib.request

    from include.paths import REPO_ROOT
    from include.simulation import simulate
    from include.sources import registry
    from include.sources.api_extract import extract_source, load_manifest, release_connections
    from include.sources.app.extract import extract_table
    from include.sources.credentials import auth_spec, client_for
    from include.transform.runner import context

    names = [f"elt_{prefix}_{uuid.uuid4().hex[:8]}" for prefix in ("bapp", "bwh")]
    with connect(pg_server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    app, wh = (pg_server.with_database(name) for name in names)
    port = _free_port()
    log = open(tmp_path_factory.mktemp("built") / "mock.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve", "--port", str(port)],
                            cwd=REPO_ROOT, env={**os.environ, "ELT_APP_DB_URL": app.url, "ELT_MOCK_FAULTS": "{}"},
                            stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        simulate(app.url, days=2)
        for table in registry.raw_tables("app"):
            extract_table(app, wh, table)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base_url}/health", timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, "mock sources server exited"
                time.sleep(0.1)
        for source in (s for s in registry.available() if registry.is_api(s)):
            key = auth_spec(source).get("key_prefix", "") + secrets.token_hex(16)
            extract_source(load_manifest(source), lambda: client_for(source, base_url, key), wh)
        release_connections()
        # The platform's transform (plan the code to prod, then run every model up to now), less the
        # plan's unit tests: tests/sqlmesh/test_unit_tests.py runs those.
        ctx = context(wh)
        ctx.plan("prod", no_prompts=True, auto_apply=True, skip_backfill=True, skip_tests=True)
        assert ctx.run("prod", ignore_cron=True).is_success, "every model ran and passed its audits"
        ctx.close()
        yield BuiltWarehouse(app, wh, base_url, datetime.datetime.now(datetime.timezone.utc))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        with connect(pg_server, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def warehouse_copy(built_warehouse, pg_server, fresh_db):
    """Factory: a private copy of the built warehouse (CREATE DATABASE ... TEMPLATE), dropped after
    the test, for tests that break data on purpose."""
    def make() -> PgUrl:
        copy = fresh_db("cp")
        with connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{copy.database}"')
            # A template must have no other sessions: end any this process or the server still holds.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                         (built_warehouse.warehouse.database,))
            conn.execute(f'CREATE DATABASE "{copy.database}" TEMPLATE "{built_warehouse.warehouse.database}"')
        return copy

    return make
