"""Extract-load for the app database: each table's changes since its watermark, streamed with COPY
from the source straight into `raw_app.<table>` (DESIGN.md §6).

Per table, one warehouse transaction holds the whole batch: new rows, tombstones for hard
deletes, the ledger row and the new watermark. A kill anywhere rolls all of it back.

Rows past the watermark cannot be in raw yet and are streamed straight in. Rows in the overlap
window behind it (late commits) go through a temp table and only the versions raw lacks, by
(primary key, cursor), are inserted: a re-run adds nothing.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psycopg
from psycopg import sql

from include.errors import EltError
from include.sources import manifest as manifests
from include.sources.manifest import Manifest, TableSpec
from include.warehouse import meta
from include.warehouse.bulk import stream_copy
from include.warehouse.connect import connect
from include.warehouse.raw_tables import ensure_raw_table, source_columns
from include.warehouse.settings import PgUrl

log = logging.getLogger(__name__)
SOURCE = "app"
SOURCE_SCHEMA = "public"


@dataclass
class Batch:
    source: str
    table: str
    batch_id: uuid.UUID = field(default_factory=uuid.uuid4)
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    cursor_from: datetime | None = None
    cursor_to: datetime | None = None
    rows_loaded: int = 0
    rows_skipped: int = 0
    rows_deleted: int = 0
    columns_added: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        added = f", new columns {', '.join(self.columns_added)}" if self.columns_added else ""
        return (f"raw_{self.source}.{self.table}: {self.rows_loaded} rows loaded, {self.rows_skipped} already had, "
                f"{self.rows_deleted} deletes detected{added}")


def extract_table(app: PgUrl, warehouse: PgUrl, table: str, manifest: Manifest | None = None) -> Batch:
    manifest = manifest or manifests.load(SOURCE)
    spec = manifest.table(table)
    batch = Batch(SOURCE, table)
    with connect(app) as src, connect(warehouse) as dst:
        # One snapshot for the whole batch: the high-water mark and the rows agree.
        src.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        src.read_only = True
        with src.transaction(), dst.transaction():
            _load(src, dst, manifest, spec, batch)
    log.info("%s", batch)
    return batch


def _load(src: psycopg.Connection, dst: psycopg.Connection, manifest: Manifest, spec: TableSpec, batch: Batch) -> None:
    raw = manifest.raw_schema
    columns = source_columns(src, SOURCE_SCHEMA, spec.name)
    if not columns:
        raise EltError(f"source table {SOURCE_SCHEMA}.{spec.name} does not exist in the app database")
    names = [n for n, _ in columns]
    for required in (spec.primary_key, spec.cursor):
        if required not in names:
            raise EltError(f"source table {SOURCE_SCHEMA}.{spec.name} has no column {required!r} named in its manifest")

    meta.ensure(dst)
    # Serialise loads of the same table: two concurrent batches would race on the watermark.
    dst.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{raw}.{spec.name}",))
    batch.columns_added = ensure_raw_table(dst, raw, spec.name, columns, spec.cursor)

    watermark = meta.watermark(dst, SOURCE, spec.name)
    src_table = sql.Identifier(SOURCE_SCHEMA, spec.name)
    cursor = sql.Identifier(spec.cursor)
    high = src.execute(sql.SQL("SELECT max({}) FROM {}").format(cursor, src_table)).fetchone()[0]
    batch.cursor_from, batch.cursor_to = watermark, high or watermark

    select_cols = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    target_cols = sql.SQL(", ").join([sql.Identifier(n) for n in names] + [sql.Identifier("_batch_id"), sql.Identifier("_extracted_at")])
    stamp = sql.SQL("{}::uuid, {}::timestamptz").format(sql.Literal(str(batch.batch_id)), sql.Literal(batch.started_at))

    def copy_out(where: sql.Composable) -> sql.Composed:
        return sql.SQL("COPY (SELECT {}, {} FROM {} WHERE {}) TO STDOUT").format(select_cols, stamp, src_table, where)

    raw_table = sql.Identifier(raw, spec.name)
    if high is not None:
        after_watermark = (sql.SQL("{} <= {}").format(cursor, sql.Literal(high)) if watermark is None else
                           sql.SQL("{} > {} AND {} <= {}").format(cursor, sql.Literal(watermark), cursor, sql.Literal(high)))
        batch.rows_loaded = stream_copy(src, copy_out(after_watermark), dst,
                                        sql.SQL("COPY {} ({}) FROM STDIN").format(raw_table, target_cols))
        if watermark is not None and manifest.overlap:
            _load_overlap(src, dst, manifest, spec, batch, copy_out, target_cols, watermark)
    if spec.hard_deletes:
        batch.rows_deleted = _record_hard_deletes(src, dst, raw, spec, batch)
    meta.record_batch(dst, batch)


def _load_overlap(src, dst, manifest, spec, batch, copy_out, target_cols, watermark) -> None:
    """Late commits: versions inside the overlap window that raw does not have yet."""
    raw_table = sql.Identifier(manifest.raw_schema, spec.name)
    cursor, pk = sql.Identifier(spec.cursor), sql.Identifier(spec.primary_key)
    low = watermark - manifest.overlap
    dst.execute(sql.SQL("CREATE TEMP TABLE _overlap (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(raw_table))
    window = sql.SQL("{} > {} AND {} <= {}").format(cursor, sql.Literal(low), cursor, sql.Literal(watermark))
    seen = stream_copy(src, copy_out(window), dst, sql.SQL("COPY _overlap ({}) FROM STDIN").format(target_cols))
    inserted = dst.execute(sql.SQL(
        """INSERT INTO {raw} ({cols}) SELECT {cols} FROM _overlap o
           WHERE NOT EXISTS (SELECT 1 FROM {raw} r WHERE r.{cursor} > {low} AND r.{pk} = o.{pk} AND r.{cursor} = o.{cursor})"""
    ).format(raw=raw_table, cols=target_cols, cursor=cursor, pk=pk, low=sql.Literal(low))).rowcount
    batch.rows_loaded += inserted
    batch.rows_skipped += seen - inserted


def _record_hard_deletes(src, dst, raw_schema: str, spec: TableSpec, batch: Batch) -> int:
    """Keys raw still holds as live that the source no longer has become tombstone rows."""
    pk = sql.Identifier(spec.primary_key)
    key_type = dict(source_columns(dst, raw_schema, spec.name))[spec.primary_key]
    raw_table = sql.Identifier(raw_schema, spec.name)
    dst.execute(sql.SQL("CREATE TEMP TABLE _source_keys (k {}) ON COMMIT DROP").format(sql.SQL(key_type)))
    stream_copy(src, sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(pk, sql.Identifier(SOURCE_SCHEMA, spec.name)),
                dst, sql.SQL("COPY _source_keys (k) FROM STDIN"))
    return dst.execute(sql.SQL(
        """INSERT INTO {raw} ({pk}, _batch_id, _extracted_at, _deleted)
           SELECT live.{pk}, {batch}::uuid, {at}::timestamptz, true
           FROM (SELECT {pk} FROM {raw} GROUP BY {pk} HAVING NOT bool_or(_deleted)) live
           WHERE NOT EXISTS (SELECT 1 FROM _source_keys s WHERE s.k = live.{pk})"""
    ).format(raw=raw_table, pk=pk, batch=sql.Literal(str(batch.batch_id)), at=sql.Literal(batch.started_at))).rowcount
