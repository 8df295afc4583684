"""Bad input and unreachable servers through the real `elt` command: one clear line, exit 2, no traceback."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from include.paths import REPO_ROOT


def elt(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "include.cli", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=timeout)


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on exit: nothing listens there


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 or lines[-1].startswith("elt: error"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_unreachable_server_names_the_url_with_password_hidden():
    url = f"postgresql://etl:hunter2@127.0.0.1:{dead_port()}/dw"
    result = elt("status", env={"ELT_WAREHOUSE_URL": url})
    assert_one_line_error(result, f"127.0.0.1", "etl:***@", "nothing is listening there")
    assert "hunter2" not in result.stderr + result.stdout


def test_wrong_credentials(tmp_path):
    """A throwaway cluster that demands passwords, so a wrong one is really rejected."""
    from include.warehouse.embedded import Server
    from include.warehouse.connect import connect

    server = Server(tmp_path / "pgdata", dead_port())
    server.start()
    try:
        with connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", autocommit=True) as conn:
            conn.execute("ALTER ROLE postgres PASSWORD 'right'")
        hba = server.pgdata / "pg_hba.conf"
        hba.write_text("host all all 127.0.0.1/32 scram-sha-256\n")
        assert server.pg_ctl("reload").returncode == 0
        url = f"postgresql://postgres:wrong@127.0.0.1:{server.port}/postgres"
        result = elt("status", env={"ELT_WAREHOUSE_URL": url})
        assert_one_line_error(result, "rejected the credentials", "postgres:***@")
        assert "wrong" not in result.stderr
    finally:
        server.stop()


@pytest.mark.parametrize("args, fragment", [
    (["simulate", "--scale", "huge"], "invalid choice: 'huge'"),
    (["simulate", "--days", "0"], "between 1 and 3650"),
    (["simulate", "--days", "abc"], "between 1 and 3650"),
])
def test_bad_arguments(args, fragment):
    result = elt(*args)
    assert result.returncode == 2 and fragment in result.stderr and "Traceback" not in result.stderr


def test_bad_url_scheme():
    assert_one_line_error(elt("status", env={"ELT_WAREHOUSE_URL": "mysql://x@y/z"}), "not a postgresql:// URL")
