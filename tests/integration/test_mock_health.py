"""`elt up` and the mock sources' /health: the server says which app database it serves (password
hidden), and `up` reuses a server on ELT_MOCK_PORT only when it serves the configured one. Its own
server (the pid file's) serving another database is restarted; anyone else's is a one-line error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from include.paths import REPO_ROOT
from include.warehouse.settings import redact


def elt(*args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "include.cli", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env=env, timeout=timeout)


def health(port: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
        return json.loads(resp.read())


def with_password(url: str) -> str:
    """The same database, reached with a password the server ignores (trust), so redaction shows."""
    return url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@", 1)


def test_health_names_the_app_database_redacted(mock_sources, fresh_db):
    app = with_password(fresh_db("app").url)
    port = mock_sources(app).rsplit(":", 1)[1]
    body = health(port)
    assert body["status"] == "ok" and "stripe" in body["sources"]
    assert body["app_database"] == redact(app) and "s3cret" not in json.dumps(body)


def test_up_refuses_a_server_for_another_app_database(platform_env, fresh_db):
    port = platform_env["ELT_MOCK_PORT"]
    other = fresh_db("other").url
    foreign = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve", "--port", port],
                               cwd=REPO_ROOT, env={**platform_env, "ELT_APP_DB_URL": other},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                health(port)
                break
            except OSError:
                time.sleep(0.1)
        result = elt("up", env=platform_env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        error = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(error) == 1, result.stderr
        assert f"port {port}" in error[0] and redact(other) in error[0] and platform_env["ELT_APP_DB_URL"] in error[0]
        assert health(port)["app_database"] == redact(other), "someone else's server is left alone"
    finally:
        foreign.terminate()
        foreign.wait(timeout=10)


def test_up_restarts_its_own_server_for_another_app_database(platform_env, fresh_db):
    port = platform_env["ELT_MOCK_PORT"]
    try:
        first = elt("up", env=platform_env)
        assert first.returncode == 0, first.stderr
        assert health(port)["app_database"] == platform_env["ELT_APP_DB_URL"]
        again = elt("up", env=platform_env)
        assert "mock sources: already running" in again.stdout + again.stderr
        other = fresh_db("other").url
        moved = elt("up", env={**platform_env, "ELT_APP_DB_URL": other})
        assert moved.returncode == 0, moved.stderr
        assert "mock sources: restarted" in moved.stdout + moved.stderr
        assert health(port)["app_database"] == other
    finally:
        elt("down", env=platform_env)
    assert not os.path.exists(os.path.join(platform_env["ELT_LOCAL_DIR"], "run", "mock-sources.pid"))
