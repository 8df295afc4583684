"""The load ledger in schema `elt_meta`: one row per batch and one watermark per raw table.

A batch's rows, its ledger row and its watermark commit in one transaction (DESIGN.md §6.1), so
a killed load leaves no trace and its retry starts from the same watermark.
"""
from __future__ import annotations

import contextlib

import psycopg

DDL = """
CREATE SCHEMA IF NOT EXISTS elt_meta;
CREATE TABLE IF NOT EXISTS elt_meta.watermarks (
    source       text        NOT NULL,
    table_name   text        NOT NULL,
    cursor_value timestamptz NOT NULL,
    batch_id     uuid        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, table_name)
);
CREATE TABLE IF NOT EXISTS elt_meta.batches (
    batch_id      uuid        PRIMARY KEY,
    source        text        NOT NULL,
    table_name    text        NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    cursor_from   timestamptz,
    cursor_to     timestamptz,
    rows_loaded   bigint      NOT NULL,
    rows_skipped  bigint      NOT NULL,
    rows_deleted  bigint      NOT NULL,
    columns_added text[]      NOT NULL DEFAULT '{}'
);
ALTER TABLE elt_meta.batches ADD COLUMN IF NOT EXISTS rows_flagged bigint NOT NULL DEFAULT 0;
"""


# True once the ledger exists with its newest column: a catalog lookup, far cheaper than
# information_schema, that a batch can fold into the first statement of its transaction.
READY = ("EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('elt_meta.batches') "
         "AND attname = 'rows_flagged' AND NOT attisdropped) AND to_regclass('elt_meta.watermarks') IS NOT NULL")


def ensure(conn: psycopg.Connection, ready: bool | None = None) -> None:
    """Create the ledger once. Checked first: the DDL's ALTER would take an exclusive lock on the
    ledger inside every batch transaction and make concurrent loads wait for each other. `ready`
    is the caller's own reading of READY, when it has one."""
    if ready is None:
        ready = conn.execute(f"SELECT {READY}").fetchone()[0]
    if not ready:
        conn.execute(DDL)


@contextlib.contextmanager
def ddl_transaction(conn: psycopg.Connection):
    """A transaction of its own for making the platform's schemas and tables, one at a time across
    connections: CREATE ... IF NOT EXISTS is not safe against a concurrent create of the same name,
    and the first batches of a new warehouse start side by side. The lock is the session's and is
    granted before the transaction starts, so the transaction sees what the holder before it made
    (one begun earlier can keep the old catalog in its caches). `conn` is in autocommit."""
    conn.execute("SELECT pg_advisory_lock(hashtext('elt_meta.ddl'))")
    try:
        with conn.transaction():
            yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('elt_meta.ddl'))")


def watermark(conn: psycopg.Connection, source: str, table: str):
    row = conn.execute(
        "SELECT cursor_value FROM elt_meta.watermarks WHERE source = %s AND table_name = %s", (source, table)
    ).fetchone()
    return row[0] if row else None


def record_batch(conn: psycopg.Connection, batch) -> None:
    """Write the ledger row and advance the watermark, inside the caller's batch transaction."""
    conn.execute(
        """INSERT INTO elt_meta.batches (batch_id, source, table_name, started_at, cursor_from, cursor_to,
                                         rows_loaded, rows_skipped, rows_deleted, rows_flagged, columns_added)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (batch.batch_id, batch.source, batch.table, batch.started_at, batch.cursor_from, batch.cursor_to,
         batch.rows_loaded, batch.rows_skipped, batch.rows_deleted, getattr(batch, "rows_flagged", 0),
         list(batch.columns_added)),
    )
    if batch.cursor_to is not None:
        conn.execute(
            """INSERT INTO elt_meta.watermarks (source, table_name, cursor_value, batch_id)
               VALUES (%s, %s, %s, %s)
               ON CONFLICT (source, table_name) DO UPDATE
               SET cursor_value = GREATEST(elt_meta.watermarks.cursor_value, EXCLUDED.cursor_value),
                   batch_id = EXCLUDED.batch_id, updated_at = now()""",
            (batch.source, batch.table, batch.cursor_to, batch.batch_id),
        )


# The ledger row and the watermark as data-modifying CTEs, for a batch that writes its rows and its
# ledger in one statement: `counts` must be a CTE before them with columns loaded and deleted.
# Parameters: batch_id, source, table_name, started_at, cursor_from, cursor_to, rows_seen, rows_flagged.
LEDGER_CTES = """
ledger AS (
    INSERT INTO elt_meta.batches (batch_id, source, table_name, started_at, cursor_from, cursor_to,
                                  rows_loaded, rows_skipped, rows_deleted, rows_flagged)
    SELECT %(batch_id)s::uuid, %(source)s::text, %(table_name)s::text, %(started_at)s::timestamptz,
           %(cursor_from)s::timestamptz, %(cursor_to)s::timestamptz,
           loaded, %(rows_seen)s::bigint - loaded, deleted, %(rows_flagged)s::bigint FROM counts
), mark AS (
    INSERT INTO elt_meta.watermarks (source, table_name, cursor_value, batch_id)
    SELECT %(source)s::text, %(table_name)s::text, %(cursor_to)s::timestamptz, %(batch_id)s::uuid WHERE %(cursor_to)s::timestamptz IS NOT NULL
    ON CONFLICT (source, table_name) DO UPDATE
    SET cursor_value = GREATEST(elt_meta.watermarks.cursor_value, EXCLUDED.cursor_value),
        batch_id = EXCLUDED.batch_id, updated_at = now()
)"""


def ledger_params(batch) -> dict:
    return {"batch_id": batch.batch_id, "source": batch.source, "table_name": batch.table,
            "started_at": batch.started_at, "cursor_from": batch.cursor_from, "cursor_to": batch.cursor_to,
            "rows_seen": batch.rows_seen, "rows_flagged": batch.rows_flagged}
