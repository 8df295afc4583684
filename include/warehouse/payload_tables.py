"""Raw tables for API sources: the full payload as JSONB plus typed key and cursor columns.

`_version` is the md5 of the payload. A record lands only when its version differs from the latest
version raw holds of that id (latest as staging reads it: newest `_extracted_at`, then newest
`cursor_at`), so a page fetched twice or a record sent on two pages adds nothing, while a changed
record (a restated ad metric, an updated customer) is a new version, and so is one that changes
back (A, B, then A again lands three rows)."""
from __future__ import annotations

import psycopg
from psycopg import sql

COLUMNS = """
    id            text        NOT NULL,
    cursor_at     timestamptz,
    payload       jsonb       NOT NULL,
    _version      text        NOT NULL,
    _flags        text[]      NOT NULL DEFAULT '{}',
    _deleted      boolean     NOT NULL DEFAULT false,
    _batch_id     uuid        NOT NULL,
    _extracted_at timestamptz NOT NULL
"""


def ensure(conn: psycopg.Connection, schema: str, table: str) -> None:
    """Create the table if missing."""
    ident = sql.Identifier(schema, table)
    if conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()[0] is None:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE TABLE {} ").format(ident) + sql.SQL("(" + COLUMNS + ")"))
        conn.execute(sql.SQL("CREATE INDEX ON {} (id, _version)").format(ident))
        conn.execute(sql.SQL("CREATE INDEX ON {} USING brin (_extracted_at)").format(ident))
