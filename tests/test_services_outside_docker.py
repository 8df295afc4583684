"""Every docker-compose service command, run outside Docker with the repo's environment.

There is no Docker engine here, so this is how the compose deployment's commands are proven: each
command in SERVICE_COMMANDS (the one list; tests/test_docker_compose.py asserts docker-compose.yml
runs exactly these) is started as a subprocess with include.airflow_runtime.airflow_env(), Airflow
metadata in SQLite under tmp_path, and must come up: `airflow db migrate` succeeds, the API server
answers HTTP, the scheduler, dag-processor and triggerer stay up and pass the compose healthcheck
(`airflow jobs check ... --local`), the Celery worker (when Redis answers on 127.0.0.1:6379) logs
ready and answers the compose healthcheck's ping, and the mock sources answer /health.
The long-running services start concurrently and are always stopped by process group.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from include.airflow_runtime import airflow_env
from include.dag_defaults import SQLMESH_POOL
from include.warehouse.settings import resolve

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"

# The one list: compose service -> the command it runs. None: a third-party image (postgres, redis)
# running its own default command, which is not ours to test.
SERVICE_COMMANDS: dict[str, list[str] | None] = {
    "postgres": None,
    "redis": None,
    "airflow-init": ["bash", "-c", "airflow db migrate && airflow pools set sqlmesh 1 'SQLMesh plans, one at a time (transform, review)'"],
    "airflow-apiserver": ["airflow", "api-server"],
    "airflow-scheduler": ["airflow", "scheduler"],
    "airflow-dag-processor": ["airflow", "dag-processor"],
    "airflow-triggerer": ["airflow", "triggerer"],
    "airflow-worker": ["airflow", "celery", "worker"],
    "mock-sources": ["elt", "mock-sources", "serve", "--host", "0.0.0.0", "--port", "8765"],
}

# Long-running Airflow components checked by the compose healthcheck (`airflow jobs check`), with the
# line each logs once its job loop starts (airflow/jobs/*_job_runner.py in Airflow 3.3).
JOB_SERVICES = {
    "airflow-scheduler": "Starting the scheduler",
    "airflow-dag-processor": "Starting the Dag Processor Job",
    "airflow-triggerer": "Starting the triggerer",
}
# How each service command is checked below; test_every_service_command_is_checked keeps it complete.
CHECKED_HERE = {"airflow-init", "airflow-apiserver", *JOB_SERVICES, "airflow-worker", "mock-sources"}

ALIVE_SECONDS = 10       # a daemon must still be running this long after it started
STARTUP_TIMEOUT = 90     # generous: on 2 cores six Python processes import Airflow at once
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def test_every_service_command_is_checked():
    ours = {name for name, cmd in SERVICE_COMMANDS.items() if cmd is not None}
    assert ours == CHECKED_HERE, f"service commands without an outside-Docker check: {sorted(ours ^ CHECKED_HERE)}"


# --------------------------------------------------------------------------------------- helpers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def compose_healthcheck(service: str) -> list[str]:
    """The service's healthcheck test from docker-compose.yml, as compose would hand it to Docker."""
    test = yaml.safe_load(COMPOSE_FILE.read_text())["services"][service]["healthcheck"]["test"]
    test = [part.replace("$$", "$") for part in test]  # compose's escape for a literal $
    if test[0] == "CMD":
        return test[1:]
    assert test[0] == "CMD-SHELL", test
    return ["/bin/sh", "-c", test[1]]


def resolve_command(cmd: list[str], env: dict[str, str]) -> list[str]:
    """The compose command with its program taken from this venv (airflow_env puts its bin on PATH)."""
    program = shutil.which(cmd[0], path=env["PATH"])
    if program is None and cmd[0] == "elt":  # the console script of `pip install -e .`
        return [sys.executable, "-m", "include.cli", *cmd[1:]]
    assert program, f"{cmd[0]!r} is not on the venv's PATH"
    return [program, *cmd[1:]]


def with_option(cmd: list[str], option: str, value: str) -> list[str]:
    i = cmd.index(option)
    return [*cmd[: i + 1], value, *cmd[i + 2:]]


def service_env(home: Path) -> dict[str, str]:
    """The repo's Airflow environment (include.airflow_runtime.airflow_env) with everything that
    writes or listens moved into `home` or onto free ports, so parallel runs cannot collide."""
    env = airflow_env(resolve())
    env.pop("AIRFLOW_CONFIG", None)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(home / "dag_bundles"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@dataclass
class Service:
    name: str
    argv: list[str]
    proc: subprocess.Popen
    log: Path
    started: float
    port: int | None = None
    env: dict[str, str] | None = field(default=None, repr=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def assert_running(self) -> None:
        code = self.proc.poll()
        assert code is None, f"{self.name} ({' '.join(self.argv)}) exited with {code}:\n{self.tail()}"

    def wait_for_log(self, text: str, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            self.assert_running()
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name} did not log {text!r} within {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.5)

    def stays_alive(self, seconds: float = ALIVE_SECONDS) -> None:
        while time.monotonic() - self.started < seconds:
            self.assert_running()
            time.sleep(0.5)
        self.assert_running()


def start(name: str, argv: list[str], env: dict[str, str], logs: Path, port: int | None = None) -> Service:
    """Start one service command in its own process group, its output in logs/<name>.log."""
    log = logs / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return Service(name, argv, proc, log, time.monotonic(), port, env)


def stop(services: list[Service], grace: float = 15) -> None:
    """SIGTERM every service's process group (and any descendant that left it), then SIGKILL."""
    import psutil

    groups, strays = [], []
    for svc in services:
        if svc.proc.poll() is not None:
            continue
        groups.append(svc.proc.pid)
        try:
            strays += [c for c in psutil.Process(svc.proc.pid).children(recursive=True)
                       if _pgid(c.pid) != svc.proc.pid]
        except psutil.NoSuchProcess:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                pass
        for child in strays:
            try:
                child.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(svc.proc.poll() is None for svc in services):
            time.sleep(0.2)
        psutil.wait_procs([c for c in strays if c.is_running()], timeout=1)
    for svc in services:
        svc.proc.wait(timeout=5)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def http_get(url: str, timeout: float = 3) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read()


def wait_for_http(svc: Service, path: str, timeout: float = STARTUP_TIMEOUT) -> bytes:
    url = f"http://127.0.0.1:{svc.port}{path}"
    deadline = time.monotonic() + timeout
    while True:
        svc.assert_running()
        try:
            status, body = http_get(url)
            if status == 200:
                return body
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{svc.name} did not answer {url} within {timeout:.0f}s:\n{svc.tail()}")
        time.sleep(0.5)


def run_check(argv: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


# -------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("airflow_home")


@pytest.fixture(scope="module")
def migrated(airflow_home) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    """airflow-init's command, run first in the tmp AIRFLOW_HOME."""
    env = service_env(airflow_home)
    result = run_check(resolve_command(SERVICE_COMMANDS["airflow-init"], env), env, timeout=120)
    return env, result


@pytest.fixture(scope="module")
def services(migrated, airflow_home) -> dict[str, Service]:
    env, result = migrated
    if result.returncode != 0:
        pytest.fail(f"`airflow db migrate` failed, so no service can start:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    logs = airflow_home / "service-logs"
    logs.mkdir(exist_ok=True)
    started: dict[str, Service] = {}
    try:
        api_port = free_port()
        started["airflow-apiserver"] = start(
            "airflow-apiserver", resolve_command(SERVICE_COMMANDS["airflow-apiserver"], env),
            {**env, "AIRFLOW__API__PORT": str(api_port), "AIRFLOW__API__HOST": "127.0.0.1"}, logs, api_port)
        for name in JOB_SERVICES:
            started[name] = start(name, resolve_command(SERVICE_COMMANDS[name], env), env, logs)
        mock_port = free_port()
        mock_cmd = with_option(with_option(SERVICE_COMMANDS["mock-sources"], "--host", "127.0.0.1"),
                               "--port", str(mock_port))
        started["mock-sources"] = start("mock-sources", resolve_command(mock_cmd, env), env, logs, mock_port)
        if redis_answers():
            worker_env = {
                **env,
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+sqlite:///{airflow_home / 'celery-results.db'}",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                # A queue of its own, so this worker never takes tasks another run put on the broker.
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"elt-test-{uuid.uuid4().hex[:12]}",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            }
            started["airflow-worker"] = start("airflow-worker",
                                              resolve_command(SERVICE_COMMANDS["airflow-worker"], env),
                                              worker_env, logs)
        yield started
    finally:
        stop(list(started.values()))


# ----------------------------------------------------------------------------------------- tests

@pytest.mark.slow
def test_airflow_init_migrates_the_metadata_db(migrated, airflow_home):
    env, result = migrated
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Database migration done!" in result.stdout + result.stderr
    with sqlite3.connect(f"file:{airflow_home / 'airflow.db'}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
        pool = db.execute("SELECT slots FROM slot_pool WHERE pool = ?", (SQLMESH_POOL,)).fetchall()
    assert pool == [(1,)], "the SQLMesh plan tasks' pool exists with one slot, or they would never be scheduled"


@pytest.mark.slow
def test_api_server_answers_http(services):
    import airflow

    api = services["airflow-apiserver"]
    health = json.loads(wait_for_http(api, "/api/v2/monitor/health"))
    assert health["metadatabase"]["status"] == "healthy", health
    status, body = http_get(f"http://127.0.0.1:{api.port}/api/v2/version")
    assert status == 200 and json.loads(body)["version"] == airflow.__version__
    # The compose healthcheck itself, pointed at this server's port.
    check = [part.replace("localhost:8080", f"127.0.0.1:{api.port}") for part in compose_healthcheck("airflow-apiserver")]
    if shutil.which(check[0]):
        result = run_check(check, os.environ.copy(), timeout=20)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", list(JOB_SERVICES))
def test_airflow_component_stays_up_and_passes_its_healthcheck(services, migrated, name):
    env, _ = migrated
    svc = services[name]
    svc.wait_for_log(JOB_SERVICES[name])
    svc.stays_alive()
    result = run_check(resolve_command(compose_healthcheck(name), env), env)
    assert result.returncode == 0, f"healthcheck {compose_healthcheck(name)} failed:\n{result.stdout}{result.stderr}\n{svc.tail()}"
    assert "Found one alive job" in result.stdout
    svc.assert_running()


@pytest.mark.slow
def test_dag_processor_parses_the_repo_dags(services, airflow_home):
    svc = services["airflow-dag-processor"]
    db_path = airflow_home / "airflow.db"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        svc.assert_running()
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as db:
            dags = {row[0] for row in db.execute("SELECT dag_id FROM dag WHERE is_stale = 0")}
            errors = db.execute("SELECT filename, stacktrace FROM import_error").fetchall()
        assert not errors, "DAG import errors:\n" + "\n".join(f"{f}:\n{s}" for f, s in errors)
        if dags:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the dag-processor stored no DAG from {REPO_ROOT / 'dags'} within {STARTUP_TIMEOUT}s:\n{svc.tail()}")
        time.sleep(1)


@pytest.mark.slow
def test_celery_worker_comes_up(services):
    if "airflow-worker" not in services:
        pytest.skip(f"no Redis answers PING on {REDIS_HOST}:{REDIS_PORT}; the Celery worker needs a broker")
    worker = services["airflow-worker"]
    worker.wait_for_log(" ready.")
    worker.stays_alive()
    # The compose healthcheck: `celery inspect ping -d celery@$HOSTNAME` (Docker sets HOSTNAME).
    result = run_check(compose_healthcheck("airflow-worker"), {**worker.env, "HOSTNAME": socket.gethostname()})
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\n{worker.tail()}"
    assert "pong" in result.stdout
    worker.assert_running()


@pytest.mark.slow
def test_mock_sources_answer_health(services):
    mock = services["mock-sources"]
    body = json.loads(wait_for_http(mock, "/health", timeout=30))
    assert body["status"] == "ok"
    mock.stays_alive(2)
