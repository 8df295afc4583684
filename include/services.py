"""Starting, stopping and reporting the local services: the warehouse and the mock sources."""
from __future__ import annotations

import json
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
    say(f"mock sources: {_start_mock(wh)} at {mock_url()}")


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
    return mock_health() is not None


def mock_health() -> dict | None:
    """What the server on the mock port says at /health (its sources and app database); None if nothing answers."""
    try:
        with urllib.request.urlopen(f"{mock_url()}/health", timeout=1) as resp:
            body = resp.read()
            if resp.status != 200:
                return None
    except OSError:
        return None
    try:
        health = json.loads(body)
    except ValueError:
        health = None
    return health if isinstance(health, dict) else {}


def _mock_pid() -> int | None:
    try:
        pid = int(MOCK_PID.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def _start_mock(wh: Warehouse) -> str:
    """Start the mock sources for wh's app database, or reuse the one running for it. A server of
    ours (the pid file's) serving another app database is restarted; anyone else's is an error."""
    health = mock_health()
    if health is not None:
        serving = health.get("app_database")
        if serving == wh.app.redacted:
            return "already running"
        taken = EltError(f"port {mock_port()} already answers /health but not as the mock sources for "
                         f"{wh.app.redacted} (it serves {serving or 'an unknown app database'}); stop that server "
                         "or set ELT_MOCK_PORT to a free port")
        pid = _mock_pid()
        if pid is None or not _stop_mock(pid):
            raise taken
        _spawn_mock()
        return f"restarted (it served {serving or 'an unknown app database'})"
    _spawn_mock()
    return "started"


def _stop_mock(pid: int) -> bool:
    """Stop our own server (the pid file's); True once the port no longer answers."""
    os.kill(pid, signal.SIGTERM)
    MOCK_PID.unlink(missing_ok=True)
    for _ in range(50):
        if mock_health() is None:
            return True
        time.sleep(0.1)
    return False


def _spawn_mock() -> None:
    MOCK_LOG.parent.mkdir(parents=True, exist_ok=True)
    MOCK_PID.parent.mkdir(parents=True, exist_ok=True)
    with open(MOCK_LOG, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve"], cwd=REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    MOCK_PID.write_text(str(proc.pid))
    for _ in range(50):
        if mock_running():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise EltError(f"the mock sources server did not start on {mock_url()}; see {MOCK_LOG} "
                   "(set ELT_MOCK_PORT if the port is taken)")
