"""No secret in the repo, in a DAG file or in a log line. API keys come from the environment or
git-ignored .local/secrets (include/sources/credentials.py), connections from Airflow at run time.
tests/ may hold made-up credentials as test input (the redaction tests); no real one anywhere."""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from include.paths import DAGS_DIR, LOCAL_DIR, REPO_ROOT
from include.sources import registry
from include.sources.credentials import auth_spec

# A URL with a password in it, and the placeholders that are not one.
# `${VAR:-default}` is docker compose's interpolation: the value comes from the environment.
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:\$\{[^}]*\}|[^/\s:@'\"`])+:((?:\$\{[^}]*\}|[^@\s'\"`])+)@")
PLACEHOLDERS = re.compile(r"^(password|\*\*\*|\$\{[^}]+\})$")
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def key_patterns() -> dict[str, re.Pattern]:
    """Each API source's key as credentials.py makes them: its prefix and 32 hex digits."""
    return {source: re.compile(rf"(?<![\w.-]){re.escape(auth_spec(source).get('key_prefix', ''))}[0-9a-f]{{32}}(?![0-9a-f])")
            for source in registry.available() if registry.is_api(source)}


def tracked_files() -> dict[str, str]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True,
                           check=True).stdout.split("\0")
    texts = {}
    for name in filter(None, names):
        path = REPO_ROOT / name
        if path.is_file():
            try:
                texts[name] = path.read_text()
            except UnicodeDecodeError:  # binary: not where a key is pasted
                continue
    return texts


def secret_findings(name: str, text: str, *, test_data_allowed: bool) -> list[str]:
    found = [f"{name}: a {source} API key" for source, pattern in key_patterns().items() if pattern.search(text)]
    if PRIVATE_KEY.search(text):
        found.append(f"{name}: a private key")
    if not test_data_allowed:
        found += [f"{name}: a password in a URL" for m in URL_PASSWORD.finditer(text) if not PLACEHOLDERS.match(m.group(1))]
    return found


def local_secrets() -> list[str]:
    """The real secrets on this machine: generated keys, keys from the environment, the warehouse password."""
    values = [p.read_text().strip() for p in (LOCAL_DIR / "secrets").glob("*")] if (LOCAL_DIR / "secrets").is_dir() else []
    values += [v for k, v in os.environ.items() if re.fullmatch(r"ELT_[A-Z_]+_API_KEY", k)]
    for var in ("ELT_WAREHOUSE_URL", "ELT_APP_DB_URL"):
        if password := urlsplit(os.environ.get(var, "")).password:
            values.append(password)
    return [v for v in values if len(v) >= 8]


def test_no_secret_in_tracked_files():
    files = tracked_files()
    assert "include/sources/credentials.py" in files
    findings = [f for name, text in files.items()
                for f in secret_findings(name, text, test_data_allowed=name.startswith("tests/"))]
    assert findings == []
    leaked = [name for name, text in files.items() for value in local_secrets() if value in text]
    assert leaked == [], "a real key or password of this machine is in a tracked file"


def test_generated_keys_are_git_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", ".local/secrets/stripe_api_key"], cwd=REPO_ROOT)
    assert result.returncode == 0, ".local/secrets/ (where credentials.py writes the mocks' keys) is not git-ignored"


def test_dag_files_hold_no_credentials():
    dag_files = sorted(DAGS_DIR.glob("*.py"))
    assert dag_files
    findings = [f for path in dag_files for f in secret_findings(path.name, path.read_text(), test_data_allowed=False)]
    assert findings == []
    with_urls = [p.name for p in dag_files if "://" in p.read_text()]
    assert with_urls == [], "DAGs get their connections from Airflow, never a URL of their own"


def test_the_scan_finds_what_it_looks_for():
    """The patterns above match real-looking keys and passwords, so a clean scan means something."""
    key = auth_spec("stripe")["key_prefix"] + secrets.token_hex(16)
    assert secret_findings("x", f"KEY = '{key}'", test_data_allowed=True) == ["x: a stripe API key"]
    assert secret_findings("x", "postgresql://etl:hunter22@db/wh", test_data_allowed=False) == ["x: a password in a URL"]
    assert secret_findings("x", "postgresql://user:password@host/db postgresql://${U:-u}:${P:-p}@h/db",
                           test_data_allowed=False) == []


@pytest.mark.slow
def test_an_extract_task_never_logs_its_key(built_warehouse, warehouse_copy, tmp_path):
    """`airflow tasks test` of a Stripe load, through the real Airflow runtime and mock API, with a
    key made for this test: the load succeeds (the mock accepted the key), and the key is in none
    of the task's output, Airflow's log files, or the warehouse."""
    wh = warehouse_copy()
    key = auth_spec("stripe")["key_prefix"] + secrets.token_hex(16)
    mock = urlsplit(built_warehouse.mock_url)
    home = tmp_path / "airflow"
    env = {**os.environ,
           "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
           "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
           "ELT_WAREHOUSE_URL": wh.url, "AIRFLOW_CONN_WAREHOUSE": wh.url,
           "AIRFLOW_CONN_STRIPE_API": json.dumps({"conn_type": "http", "host": mock.hostname, "port": mock.port,
                                                  "schema": "http", "password": key}),
           "PYTHONPATH": str(REPO_ROOT), "MAX_FORK_WORKERS": "1"}
    airflow = str(Path(sys.executable).parent / "airflow")
    started = datetime.now(timezone.utc)
    subprocess.run([airflow, "db", "migrate"], env=env, cwd=REPO_ROOT, capture_output=True, check=True, timeout=300)
    run = subprocess.run([airflow, "tasks", "test", "el__stripe", "load__customers"], env=env, cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "raw_stripe.customers" in output, output[-2000:]
    assert key not in output
    logs = [p for p in home.rglob("*") if p.is_file() and p.suffix in (".log", ".json", "")]
    assert [p for p in logs if key in p.read_text(errors="replace")] == []
    from include.warehouse.connect import connect

    with connect(wh) as conn:
        ledger = conn.execute("SELECT string_agg(b::text, ' ') FROM elt_meta.batches AS b").fetchone()[0]
        ran = conn.execute("""SELECT count(*) FROM elt_meta.batches
                              WHERE source = 'stripe' AND table_name = 'customers' AND started_at > %s""",
                           (started,)).fetchone()[0]
    assert ran == 1, "the task's batch is in the ledger"
    assert key not in ledger


def test_a_rejected_key_is_not_in_the_error(built_warehouse, warehouse_copy, caplog):
    """The path where keys usually leak: the API refuses the key and the error is reported."""
    from include.errors import EltError
    from include.sources.api_extract import extract_entity, load_manifest, release_connections
    from include.sources.credentials import client_for

    key = "rejected_" + secrets.token_hex(16)  # no sk_test_ prefix: the mock answers 401
    client = client_for("stripe", built_warehouse.mock_url, key)
    with pytest.raises(EltError) as error:
        extract_entity(load_manifest("stripe"), "customers", client, warehouse_copy())
    release_connections()
    assert "401" in str(error.value)
    assert key not in str(error.value)
    assert key not in caplog.text
