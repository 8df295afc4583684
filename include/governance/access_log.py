"""Where the access log is: the Postgres server log, which holds every statement a reader role's
member runs (roles.ensure_roles sets log_statement = 'all' on them), with the role and database
in each line's prefix. It is read through the server (pg_read_file), so it works for a remote
server too, given a superuser connection."""
from __future__ import annotations

from pathlib import PurePosixPath

import psycopg

from include.errors import EltError


def server_log_path(conn: psycopg.Connection, embedded_log: str | None = None) -> str:
    """The server's current log file: the logging collector's file when it runs, else the file the
    server's stderr goes to, which is the embedded server's log or, on a Debian cluster started by
    pg_ctlcluster, /var/log/postgresql/postgresql-<major>-<cluster>.log."""
    current, data_dir, version = conn.execute(
        "SELECT pg_current_logfile(), current_setting('data_directory'), current_setting('server_version_num')::int / 10000"
    ).fetchone()
    if current:
        return current if current.startswith("/") else str(PurePosixPath(data_dir) / current)
    candidates = [embedded_log] if embedded_log else []
    candidates.append(f"/var/log/postgresql/postgresql-{version}-{PurePosixPath(data_dir).name}.log")
    for path in candidates:
        if conn.execute("SELECT (pg_stat_file(%s, true)).size IS NOT NULL", (path,)).fetchone()[0]:
            return path
    raise EltError(f"cannot find the server log of {conn.info.host}:{conn.info.port} (tried {', '.join(candidates)}); "
                   "turn on logging_collector so that pg_current_logfile() names it")


def log_size(conn: psycopg.Connection, path: str) -> int:
    return conn.execute("SELECT (pg_stat_file(%s)).size", (path,)).fetchone()[0]


def read_log(conn: psycopg.Connection, path: str, offset: int = 0) -> str:
    """The log from byte `offset` to its end."""
    return conn.execute("SELECT pg_read_file(%s, %s, (pg_stat_file(%s)).size - %s)",
                        (path, offset, path, offset)).fetchone()[0]
