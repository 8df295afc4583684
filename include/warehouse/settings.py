"""Which Postgres the platform talks to, resolved from the environment only (no I/O).

- `ELT_WAREHOUSE_URL` names the warehouse. Unset: the embedded server under `.local/`.
- `ELT_APP_DB_URL` names the simulated app database. Unset: database `app` on the warehouse server.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from include.errors import EltError

EMBEDDED_HOST = "127.0.0.1"
EMBEDDED_DEFAULT_PORT = 55432
WAREHOUSE_DB = "warehouse"
APP_DB = "app"


@dataclass(frozen=True)
class PgUrl:
    """A parsed `postgresql://` URL."""

    user: str
    password: str
    host: str
    port: int
    database: str

    @classmethod
    def parse(cls, url: str, *, name: str) -> "PgUrl":
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise EltError(f"{name}={redact(url)} is not a postgresql:// URL (expected postgresql://user:password@host:port/database)")
        try:
            port = parts.port or 5432
        except ValueError:
            raise EltError(f"{name}={redact(url)} has a port that is not a number") from None
        database = parts.path.lstrip("/")
        if not parts.hostname or not database:
            raise EltError(f"{name}={redact(url)} needs a host and a database (postgresql://user:password@host:port/database)")
        return cls(parts.username or "postgres", parts.password or "", parts.hostname, port, database)

    @property
    def url(self) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"

    @property
    def redacted(self) -> str:
        return redact(self.url)

    def with_database(self, database: str) -> "PgUrl":
        return PgUrl(self.user, self.password, self.host, self.port, database)


@dataclass(frozen=True)
class Warehouse:
    """The resolved warehouse and app database, and whether the embedded server provides them."""

    warehouse: PgUrl
    app: PgUrl
    embedded: bool


def redact(url: str) -> str:
    """The URL with its password replaced by ***, safe for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def embedded_port() -> int:
    raw = os.environ.get("ELT_EMBEDDED_PG_PORT", str(EMBEDDED_DEFAULT_PORT))
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise EltError(f"ELT_EMBEDDED_PG_PORT={raw!r} is not a port number between 1024 and 65535")
    return int(raw)


def resolve() -> Warehouse:
    """Resolve the warehouse and app database from the environment."""
    raw = os.environ.get("ELT_WAREHOUSE_URL", "").strip()
    if raw:
        warehouse = PgUrl.parse(raw, name="ELT_WAREHOUSE_URL")
        embedded = False
    else:
        warehouse = PgUrl("postgres", "", EMBEDDED_HOST, embedded_port(), WAREHOUSE_DB)
        embedded = True
    app_raw = os.environ.get("ELT_APP_DB_URL", "").strip()
    app = PgUrl.parse(app_raw, name="ELT_APP_DB_URL") if app_raw else warehouse.with_database(APP_DB)
    return Warehouse(warehouse, app, embedded)
