"""What was loaded and built: per-table counts across app, raw and staging, and raw freshness."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql

from include.sources import manifest
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse


@dataclass(frozen=True)
class TableCounts:
    table: str
    app_rows: int
    raw_versions: int
    staging_rows: int | None  # None: the staging model is not built yet

    @property
    def matches(self) -> bool:
        return self.staging_rows == self.app_rows


def _count(conn, schema: str, table: str) -> int | None:
    if conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()[0] is None:
        return None
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))).fetchone()[0]


def table_counts(wh: Warehouse, source: str = "app") -> list[TableCounts]:
    spec = manifest.load(source)
    with connect(wh.app) as app, connect(wh.warehouse) as dw:
        return [TableCounts(t.name, _count(app, "public", t.name) or 0, _count(dw, spec.raw_schema, t.name) or 0,
                            _count(dw, "staging", f"stg_{source}__{t.name}")) for t in spec.tables]


def freshness(wh: Warehouse) -> list[tuple[str, datetime | None, datetime | None]]:
    """(raw table, last successful batch, newest source cursor loaded) for every loaded table."""
    with connect(wh.warehouse) as dw:
        if dw.execute("SELECT to_regclass('elt_meta.batches')").fetchone()[0] is None:
            return []
        return dw.execute(
            """SELECT 'raw_' || b.source || '.' || b.table_name, max(b.finished_at), max(w.cursor_value)
               FROM elt_meta.batches b
               LEFT JOIN elt_meta.watermarks w USING (source, table_name)
               GROUP BY 1 ORDER BY 1"""
        ).fetchall()


def format_counts(rows: list[TableCounts]) -> str:
    lines = [f"{'table':<20}{'app rows':>10}{'raw versions':>14}{'staging rows':>14}  match"]
    for r in rows:
        staged = "-" if r.staging_rows is None else str(r.staging_rows)
        lines.append(f"{r.table:<20}{r.app_rows:>10}{r.raw_versions:>14}{staged:>14}  {'yes' if r.matches else 'NO'}")
    return "\n".join(lines)
