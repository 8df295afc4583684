"""Raw tables that mirror a source table's columns plus the load metadata, evolving as the
source grows columns (DESIGN.md §6.4: a new field never fails a load)."""
from __future__ import annotations

import psycopg
from psycopg import sql

# Every raw table carries these after the source's own columns.
META_COLUMNS = (
    ("_batch_id", "uuid NOT NULL"),
    ("_extracted_at", "timestamptz NOT NULL"),
    ("_deleted", "boolean NOT NULL DEFAULT false"),
)


def source_columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns in order, from the catalog."""
    return conn.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_attribute a
           WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum""",
        (f'"{schema}"."{table}"',),
    ).fetchall()


def ensure_raw_table(conn: psycopg.Connection, schema: str, table: str, columns: list[tuple[str, str]],
                     cursor: str) -> list[str]:
    """Create the raw table, or add the source columns it lacks. Returns the names of added columns.

    No constraints are copied: raw keeps what the source sent, tombstones included."""
    ident = sql.Identifier(schema, table)
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    existing = {name for name, _ in source_columns(conn, schema, table)}
    if not existing:
        cols = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns]
        cols += [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in META_COLUMNS]
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(cols)))
        # BRIN: nearly free to maintain on append-only loads, and enough to find the overlap window.
        conn.execute(sql.SQL("CREATE INDEX ON {} USING brin ({})").format(ident, sql.Identifier(cursor)))
        conn.execute(sql.SQL("CREATE INDEX ON {} USING brin (_extracted_at)").format(ident))
        return []
    added = [(n, t) for n, t in columns if n not in existing]
    for name, type_ in added:
        conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(ident, sql.Identifier(name), sql.SQL(type_)))
    return [n for n, _ in added]
