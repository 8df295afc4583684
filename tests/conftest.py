"""Shared fixtures. Integration tests use a real Postgres: the server ELT_WAREHOUSE_URL names when
set, otherwise the embedded one under .local/ (started if needed). Each test gets its own
databases on that server, so the suite never touches the data of `elt demo`."""
from __future__ import annotations

import os
import uuid

import pytest

from include.paths import DAGS_DIR, LOCAL_DIR

# Before anything imports Airflow: its own home for the tests, the repo's DAGs, no examples.
os.environ.setdefault("AIRFLOW_HOME", str(LOCAL_DIR / "airflow-tests"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS_DIR))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

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
        name = f"elt_test_{prefix}_{uuid.uuid4().hex[:10]}"
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
