"""What the warehouse holds right now: its schemas, tables and views, and their columns."""
from __future__ import annotations

import psycopg

_USER_SCHEMAS = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"


def schemas(conn: psycopg.Connection) -> list[str]:
    return [s for (s,) in conn.execute(f"SELECT n.nspname FROM pg_namespace n WHERE {_USER_SCHEMAS} ORDER BY 1")]


def relations(conn: psycopg.Connection) -> set[str]:
    """Every table, view and materialized view, as `schema.name`."""
    rows = conn.execute(f"""
        SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_USER_SCHEMAS}""")
    return {name for (name,) in rows}


def columns(conn: psycopg.Connection, relation: str) -> list[str]:
    """The relation's columns in their order."""
    rows = conn.execute("""
        SELECT attname FROM pg_attribute
        WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum""", (relation,))
    return [name for (name,) in rows]
