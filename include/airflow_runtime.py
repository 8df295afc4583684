"""Airflow run from the repo: AIRFLOW_HOME under `.local/airflow`, the repo's dags/ and plugins/,
examples off, SQLite metadata. Connections reach Airflow only as AIRFLOW_CONN_* variables."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from include.errors import EltError
from include.paths import DAGS_DIR, LOCAL_DIR, PLUGINS_DIR, REPO_ROOT
from include.warehouse.settings import Warehouse

AIRFLOW_HOME = LOCAL_DIR / "airflow"
WAREHOUSE_CONN_ID = "warehouse"
APP_DB_CONN_ID = "app_db"


def api_connections() -> dict[str, str]:
    """AIRFLOW_CONN_<SOURCE>_API for every API source: the local mock server and the source's key."""
    from include.services import mock_port
    from include.sources import registry
    from include.sources.credentials import api_key

    return {f"AIRFLOW_CONN_{source.upper()}_API": json.dumps(
                {"conn_type": "http", "host": "127.0.0.1", "port": mock_port(), "schema": "http",
                 "password": api_key(source)})
            for source in registry.available() if registry.is_api(source)}


def airflow_env(wh: Warehouse, home: Path = AIRFLOW_HOME) -> dict[str, str]:
    """The environment of every Airflow process; `home` moves metadata and logs (tests use their own)."""
    env = dict(os.environ)
    env.update(api_connections())
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}": wh.warehouse.url,
        f"AIRFLOW_CONN_{APP_DB_CONN_ID.upper()}": wh.app.url,
        # SQLMesh forks workers by default; inside an Airflow task that deadlocks.
        "MAX_FORK_WORKERS": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")])),
        # `airflow standalone` starts its components by name, so the venv's bin must be on PATH.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    })
    return env


def airflow(wh: Warehouse, *args: str, capture: bool = False, check: bool = True,
            home: Path = AIRFLOW_HOME) -> subprocess.CompletedProcess:
    """Run the `airflow` CLI of this venv with the repo's environment."""
    home.mkdir(parents=True, exist_ok=True)
    from include.sla import DEADLINES_SETTING

    cmd = [str(Path(sys.executable).parent / "airflow"), *args]
    env = airflow_env(wh, home)
    if args[:2] == ("dags", "test"):
        env[DEADLINES_SETTING] = "off"   # see include/sla.py: `dags test` crashes on deadlines
    result = subprocess.run(cmd, env=env, cwd=REPO_ROOT, text=True, capture_output=capture)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip().splitlines()[-1:] if capture else []
        raise EltError(f"`airflow {' '.join(args)}` failed (exit {result.returncode})"
                       + (f": {detail[0]}" if detail else f"; see its output above and logs in {home / 'logs'}"))
    return result


def migrate(wh: Warehouse, home: Path = AIRFLOW_HOME) -> None:
    """Create or upgrade the SQLite metadata database (fast no-op when current), and the pool that
    keeps SQLMesh plans one at a time."""
    from include.dag_defaults import SQLMESH_POOL

    airflow(wh, "db", "migrate", capture=True, home=home)
    airflow(wh, "pools", "set", SQLMESH_POOL, "1", "SQLMesh plans, one at a time (transform, review)",
            capture=True, home=home)


def standalone_env(wh: Warehouse, port: int, home: Path = AIRFLOW_HOME) -> tuple[dict[str, str], str]:
    """`airflow standalone`'s environment: the repo's, on localhost and the given port, with a local
    admin login made once under `home` (git-ignored), never in the repo. Returns (env, password)."""
    import secrets

    passwords = home / "passwords.json"
    if not passwords.exists():
        home.mkdir(parents=True, exist_ok=True)
        passwords.write_text(json.dumps({"admin": secrets.token_urlsafe(12)}))
    env = airflow_env(wh, home)
    env.update({"AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(port),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords)})
    return env, json.loads(passwords.read_text())["admin"]
