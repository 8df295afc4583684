"""Starting, stopping and reporting the local services: the warehouse and the mock sources."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from include.errors import EltError
from include.mock_api import server as mock_server
from include.paths import LOCAL_DIR, REPO_ROOT
from include.warehouse import embedded
from include.warehouse.connect import ensure_database
from include.warehouse.settings import Warehouse

MOCK_PID = LOCAL_DIR / "run" / "mock-sources.pid"
MOCK_LOG = LOCAL_DIR / "logs" / "mock-sources.log"


def up(wh: Warehouse, say=print) -> None:
    """Idempotent: a second call while everything runs changes nothing."""
    if wh.embedded:
        started = embedded.start()
        say(f"warehouse: embedded Postgres {'started' if started else 'already running'} at {wh.warehouse.redacted}")
    for url in (wh.warehouse, wh.app):
        if ensure_database(url):
            say(f"created database {url.database!r} on {url.with_database('postgres').redacted}")
    if not wh.embedded:
        say(f"warehouse: {wh.warehouse.redacted} reachable")
    say(f"mock sources: {'started' if _start_mock() else 'already running'} at {mock_url()}")


def down(wh: Warehouse, say=print) -> None:
    pid = _mock_pid()
    if pid:
        os.kill(pid, signal.SIGTERM)
        say("mock sources: stopped")
    MOCK_PID.unlink(missing_ok=True)
    if wh.embedded:
        say(f"warehouse: embedded Postgres {'stopped' if embedded.stop() else 'was not running'}")
    else:
        say(f"warehouse: {wh.warehouse.redacted} is external; left running")


def mock_port() -> int:
    return mock_server.port()


def mock_url() -> str:
    return f"http://127.0.0.1:{mock_port()}"


def mock_running() -> bool:
    try:
        with urllib.request.urlopen(f"{mock_url()}/health", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def _mock_pid() -> int | None:
    try:
        pid = int(MOCK_PID.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def _start_mock() -> bool:
    if mock_running():
        return False
    MOCK_LOG.parent.mkdir(parents=True, exist_ok=True)
    MOCK_PID.parent.mkdir(parents=True, exist_ok=True)
    with open(MOCK_LOG, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve"], cwd=REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    MOCK_PID.write_text(str(proc.pid))
    for _ in range(50):
        if mock_running():
            return True
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise EltError(f"the mock sources server did not start on {mock_url()}; see {MOCK_LOG} "
                   "(set ELT_MOCK_PORT if the port is taken)")
