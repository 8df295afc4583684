"""The load ledger in schema `elt_meta`: one row per batch and one watermark per raw table.

A batch's rows, its ledger row and its watermark commit in one transaction (DESIGN.md §6.1), so
a killed load leaves no trace and its retry starts from the same watermark.
"""
from __future__ import annotations

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


def ensure(conn: psycopg.Connection) -> None:
    """Create the ledger once. Checked first: the DDL's ALTER would take an exclusive lock on the
    ledger inside every batch transaction and make concurrent loads wait for each other."""
    current = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = 'elt_meta' "
                           "AND table_name = 'batches' AND column_name = 'rows_flagged'").fetchone()
    if not current:
        conn.execute(DDL)


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
