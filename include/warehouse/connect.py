"""Opening connections with a one-line error instead of a driver traceback."""
from __future__ import annotations

import psycopg

from include.errors import EltError
from include.warehouse.settings import PgUrl, redact


def connect(url: str | PgUrl, **kwargs) -> psycopg.Connection:
    """Connect with psycopg 3; an unreachable server or bad credentials raise EltError naming the URL."""
    dsn = url.url if isinstance(url, PgUrl) else url
    try:
        return psycopg.connect(dsn, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        raise EltError(f"cannot connect to {redact(dsn)}: {_reason(exc)}") from None


def _reason(exc: psycopg.OperationalError) -> str:
    text = " ".join(str(exc).split())
    if "password authentication failed" in text or "no password supplied" in text:
        return "the server rejected the credentials; check the user and password in the URL"
    if "does not exist" in text and "database" in text:
        return "that database does not exist; run `elt up` or create it"
    if "Connection refused" in text or "timeout expired" in text or "could not translate host" in text:
        return ("nothing is listening there; start the server (`elt up` for the embedded one) "
                "or fix the host and port in ELT_WAREHOUSE_URL")
    return f"{text}; check that the server is running and the URL is right"


def ensure_database(url: PgUrl) -> bool:
    """Create the URL's database if missing (connecting through the `postgres` database). True if created."""
    with connect(url.with_database("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{url.database}"')
        return True
