"""docker-compose.yml and docker/, checked as files: no Docker engine, no network, well under a second.

What runs inside each service is proven outside Docker by tests/test_services_outside_docker.py; this
file pins the deployment to that list (SERVICE_COMMANDS) and checks the wiring between services:
executor, connections, mounts, image, database init script, healthchecks and start-up order.
"""
from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from include.warehouse.settings import PgUrl

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "docker" / "Dockerfile"


def _outside_docker_module():
    """tests/test_services_outside_docker.py, loaded by path so this works with or without tests/__init__.py."""
    name = "_elt_services_outside_docker"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("test_services_outside_docker.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


SERVICE_COMMANDS: dict[str, list[str] | None] = _outside_docker_module().SERVICE_COMMANDS

EXPECTED_SERVICES = {
    "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
    "airflow-triggerer", "airflow-worker", "postgres", "redis", "mock-sources",
}
AIRFLOW_SERVICES = sorted(name for name in EXPECTED_SERVICES if name.startswith("airflow-"))
DATABASES = {"airflow", "warehouse", "app"}

_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """What compose makes of `value` with `env` as the shell environment (empty: every default)."""
    env = {} if env is None else env

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3) or ""
        value = env.get(name)
        if op == ":-":
            return value if value else default
        if op == "-":
            return default if value is None else value
        if op in (":?", "?"):
            raise AssertionError(f"${{{name}}} is required; compose has no default for it")
        return value or ""

    return _VAR.sub(sub, value)


class _EveryVariable(dict):
    """An environment in which every variable is set, to the same marker."""

    MARK = "VARIABLE"

    def get(self, key, default=None):
        return self.MARK


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing"
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def common_env(compose) -> dict[str, str]:
    return {k: str(v) for k, v in compose["x-airflow-common"]["environment"].items()}


def command_of(service: dict) -> list[str] | None:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else cmd


def mounts(service: dict) -> list[tuple[str, str, str]]:
    """(kind, source, target) for each volume: kind is 'bind' or 'volume'."""
    out = []
    for vol in service.get("volumes", []):
        if isinstance(vol, dict):
            out.append((vol["type"], vol["source"], vol["target"]))
        else:
            source, target = vol.split(":")[:2]
            out.append(("bind" if source.startswith((".", "/", "~", "$")) else "volume", source, target))
    return out


# ------------------------------------------------------------------------------------- services

def test_exactly_the_platform_services(services):
    assert set(services) == EXPECTED_SERVICES
    assert set(SERVICE_COMMANDS) == EXPECTED_SERVICES, "SERVICE_COMMANDS and the compose services disagree"


@pytest.mark.parametrize("name", sorted(EXPECTED_SERVICES))
def test_service_runs_the_command_tested_outside_docker(services, name):
    assert command_of(services[name]) == SERVICE_COMMANDS[name]


def test_airflow_service_commands(services):
    assert {name: command_of(services[name]) for name in AIRFLOW_SERVICES} == {
        "airflow-init": ["bash", "-c", "airflow db migrate && airflow pools set sqlmesh 1 'SQLMesh plans, one at a time (transform, review)'"],
        "airflow-apiserver": ["airflow", "api-server"],
        "airflow-scheduler": ["airflow", "scheduler"],
        "airflow-dag-processor": ["airflow", "dag-processor"],
        "airflow-triggerer": ["airflow", "triggerer"],
        "airflow-worker": ["airflow", "celery", "worker"],
    }
    for name in AIRFLOW_SERVICES:  # the image's /entrypoint runs `airflow ...` commands as given
        assert "entrypoint" not in services[name], name


def test_mock_sources_service(services):
    svc = services["mock-sources"]
    assert command_of(svc) == ["elt", "mock-sources", "serve", "--host", "0.0.0.0", "--port", "8765"]
    # Airflow's /entrypoint would wait for the metadata db and run `airflow elt ...`; dumb-init execs as is.
    assert svc["entrypoint"] == ["/usr/bin/dumb-init", "--"]
    assert svc["image"] == services["airflow-apiserver"]["image"] and svc["build"] == services["airflow-apiserver"]["build"]
    assert any(p.endswith(":8765") for p in svc["ports"])
    assert "http://localhost:8765/health" in svc["healthcheck"]["test"]


def test_third_party_images(services):
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"].startswith("redis:")


# -------------------------------------------------------------------------- airflow configuration

def test_airflow_services_share_one_anchor(compose, services, common_env):
    raw = COMPOSE_FILE.read_text()
    assert re.search(r"^x-airflow-common: &airflow-common\b", raw, re.M)
    assert len(re.findall(r"<<: \*airflow-common(?![\w-])", raw)) == len(AIRFLOW_SERVICES)
    common = compose["x-airflow-common"]
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["build"] == {"context": ".", "dockerfile": "docker/Dockerfile"}, name
        assert svc["image"] == common["image"], name
        assert svc["volumes"] == common["volumes"], name
        env = {k: str(v) for k, v in svc["environment"].items()}
        assert env.items() >= common_env.items(), f"{name} drops or changes common environment"


def test_celery_executor_on_postgres_and_redis(common_env, services):
    env = {k: interpolate(v) for k, v in common_env.items()}
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["MAX_FORK_WORKERS"] == "1"

    metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert metadata.scheme.startswith("postgresql") and metadata.hostname == "postgres"
    assert metadata.path == "/airflow"
    backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
    assert backend.scheme.startswith("db+postgresql") and backend.hostname == "postgres" and backend.path == "/airflow"
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis" and broker.hostname == "redis" and broker.hostname in services

    # Airflow 3 workers reach the API server's execution API, on the port it listens on in its container.
    execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert execution.hostname == "airflow-apiserver" and execution.path == "/execution/"
    assert any(str(p).endswith(f":{execution.port}") for p in services["airflow-apiserver"]["ports"])


def test_airflow_reads_the_mounted_repo(common_env, compose):
    targets = {target: source for kind, source, target in mounts(compose["x-airflow-common"]) if kind == "bind"}
    assert targets[common_env["AIRFLOW__CORE__DAGS_FOLDER"]] == "./dags"
    assert common_env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
    assert targets[common_env["AIRFLOW__CORE__PLUGINS_FOLDER"]] == "./plugins"
    # include/paths.py finds sqlmesh/ and expectations/ beside include/, under PYTHONPATH.
    root = common_env["PYTHONPATH"]
    assert root == "/opt/airflow/repo"
    for folder in ("include", "sqlmesh", "expectations"):
        assert targets[f"{root}/{folder}"] == f"./{folder}"


def test_connections_and_platform_urls_come_from_environment(common_env):
    env = {k: interpolate(v) for k, v in common_env.items()}
    assert env["AIRFLOW_CONN_WAREHOUSE"] == env["ELT_WAREHOUSE_URL"]
    assert env["AIRFLOW_CONN_APP_DB"] == env["ELT_APP_DB_URL"]
    for key, database in (("ELT_WAREHOUSE_URL", "warehouse"), ("ELT_APP_DB_URL", "app")):
        url = PgUrl.parse(env[key], name=key)
        assert (url.host, url.port, url.database) == ("postgres", 5432, database)
        assert (url.user, url.password) == ("postgres", "postgres")  # the local defaults
    # Overridable credentials reach every URL.
    custom = {k: interpolate(v, {"POSTGRES_USER": "u", "POSTGRES_PASSWORD": "p"}) for k, v in common_env.items()}
    for key in ("AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_APP_DB", "ELT_WAREHOUSE_URL", "ELT_APP_DB_URL",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        assert "//u:p@postgres:5432/" in custom[key], key


def test_no_hard_coded_credentials(services, common_env):
    envs = [("x-airflow-common", common_env)] + [
        (name, {k: str(v) for k, v in svc.get("environment", {}).items()}) for name, svc in services.items()]
    for where, env in envs:
        for key, value in env.items():
            if "://" in value:  # with every variable set to a marker, a URL's password is only the marker
                password = urlsplit(interpolate(value, _EveryVariable())).password
                assert password in (None, _EveryVariable.MARK), f"{where}.{key}: password not a ${{VAR:-default}}"
            if re.search(r"PASSWORD|SECRET|FERNET|_KEY$", key):
                assert value.startswith("${"), f"{where}.{key} must come from a ${{VAR:-default}}"
    # Airflow containers must agree on the signing secrets (each would generate its own otherwise).
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        assert key in common_env


# --------------------------------------------------------------------------------- files, mounts

def test_every_bind_mount_exists_in_the_repo(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, svc in [("x-airflow-common", compose["x-airflow-common"]), *services.items()]:
        for kind, source, target in mounts(svc):
            if kind == "bind":
                assert source.startswith("./"), f"{name}: bind-mount {source} should be a repo-relative path"
                assert (REPO_ROOT / source).exists(), f"{name}: bind-mounted {source} does not exist in the repo"
            else:
                assert source in declared, f"{name}: named volume {source} is not declared under volumes:"


def test_dockerfile_builds_the_repo_on_the_pinned_airflow(compose):
    assert DOCKERFILE.is_file()
    text = DOCKERFILE.read_text()
    build = compose["x-airflow-common"]["build"]
    assert (REPO_ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE

    pins = dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", (REPO_ROOT / "requirements.txt").read_text(), re.M))
    base = re.search(r"^FROM\s+apache/airflow:(\S+)-python(\d+\.\d+)\s*$", text, re.M)
    assert base, "the image must build FROM apache/airflow:<version>-python<x.y>"
    assert base.group(1) == pins["apache-airflow"], "the base image and requirements.txt pin different Airflow versions"
    assert base.group(2) == "3.11"

    assert "requirements.txt" in text
    assert re.search(r"pip install [^\n]*-r requirements\.txt", text)
    assert re.search(r"pip install [^\n]*--no-deps -e \.", text)
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text().split()
    for line in re.findall(r"^COPY\s+(?:--\S+\s+)*(.+?)\s+\S+\s*$", text, re.M):
        for source in line.split():
            assert (REPO_ROOT / source).exists(), f"COPY source {source} does not exist"
            assert "*" not in ignore or f"!{source.rstrip('/')}" in ignore, f"{source} is excluded from the build context"


def test_init_sql_creates_the_three_databases(services, common_env):
    sql_mounts = [(source, target) for kind, source, target in mounts(services["postgres"])
                  if target.startswith("/docker-entrypoint-initdb.d")]
    assert sql_mounts, "no init script mounted into /docker-entrypoint-initdb.d"
    created = set()
    for source, _ in sql_mounts:
        created |= {m.lower() for m in re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", (REPO_ROOT / source).read_text(), re.I)}
    assert created == DATABASES
    used = {urlsplit(interpolate(common_env[k]).split("+", 1)[-1]).path.lstrip("/") for k in (
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_APP_DB")}
    assert used == DATABASES


# ------------------------------------------------------------------------ health and start order

def test_healthchecks_and_start_order(services):
    for name, svc in services.items():
        if name != "airflow-init":
            assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
            assert svc["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        for dep, spec in (svc.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            condition = spec["condition"]
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep} to be healthy but it has no healthcheck"
            else:
                assert condition == "service_completed_successfully" and dep == "airflow-init", (name, dep, condition)
    assert services["airflow-init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["airflow-init"]["restart"] == "no"
    for name in AIRFLOW_SERVICES:
        if name != "airflow-init":
            deps = services[name]["depends_on"]
            assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
            assert {"postgres", "redis"} <= set(deps), name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"

    # No cycles: compose would refuse to start.
    graph = {name: set(svc.get("depends_on") or {}) for name, svc in services.items()}
    done: set[str] = set()
    while graph.keys() - done:
        ready = {n for n in graph.keys() - done if graph[n] <= done}
        assert ready, f"depends_on cycle among {sorted(graph.keys() - done)}"
        done |= ready
