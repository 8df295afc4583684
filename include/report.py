"""What was loaded and built: per-table counts across source, raw and staging, the models built per
layer, and raw freshness."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql

from include.sources import registry
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse


@dataclass(frozen=True)
class TableCounts:
    source: str
    table: str
    source_rows: int | None   # rows in the app database; None for API sources (they are counted in raw)
    raw_versions: int
    raw_flagged: int
    staging_rows: int | None  # None: the staging model is not built yet

    @property
    def matches(self) -> bool:
        """The app's tables must match staging exactly; API sources have no such count to compare."""
        return self.source_rows is None or self.staging_rows == self.source_rows


def _count(conn, schema: str, table: str, where: str = "") -> int | None:
    if conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()[0] is None:
        return None
    query = sql.SQL("SELECT count(*) FROM {} " + where).format(sql.Identifier(schema, table))
    return conn.execute(query).fetchone()[0]


def table_counts(wh: Warehouse) -> list[TableCounts]:
    rows = []
    with connect(wh.app) as app, connect(wh.warehouse) as dw:
        for source in registry.available():
            api = registry.is_api(source)
            for table in registry.raw_tables(source):
                rows.append(TableCounts(
                    source, table, None if api else (_count(app, "public", table) or 0),
                    _count(dw, f"raw_{source}", table) or 0,
                    (_count(dw, f"raw_{source}", table, "WHERE cardinality(_flags) > 0") or 0) if api else 0,
                    _count(dw, "staging", f"stg_{source}__{table}")))
    return rows


MODEL_LAYERS = ("staging", "intermediate", "entity", "crm", "marts", "metrics")


def layer_counts(wh: Warehouse) -> list[tuple[str, int, int]]:
    """(layer schema, models in it, rows over all of them) for each SQLMesh layer, in build order."""
    out = []
    with connect(wh.warehouse) as dw:
        for layer in MODEL_LAYERS:
            names = [n for (n,) in dw.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (layer,))]
            out.append((layer, len(names), sum(_count(dw, layer, n) or 0 for n in names)))
    return out


def format_layers(rows: list[tuple[str, int, int]]) -> str:
    lines = [f"{'layer':<16}{'models':>8}{'rows':>12}"]
    lines += [f"{layer:<16}{models:>8}{rows:>12,}" for layer, models, rows in rows]
    return "\n".join(lines)


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
    lines = [f"{'raw table':<36}{'source rows':>12}{'raw versions':>14}{'flagged':>9}{'staging rows':>14}  match"]
    for r in rows:
        source_rows = "-" if r.source_rows is None else str(r.source_rows)
        staged = "-" if r.staging_rows is None else str(r.staging_rows)
        lines.append(f"{'raw_' + r.source + '.' + r.table:<36}{source_rows:>12}{r.raw_versions:>14}{r.raw_flagged:>9}"
                     f"{staged:>14}  {'yes' if r.matches else 'NO'}")
    return "\n".join(lines)


def quality_summary(wh: Warehouse) -> list[tuple[str, int, int, int]]:
    """(layer, suites, rules, rules failed) of each layer's newest prod quality run."""
    with connect(wh.warehouse) as dw:
        if dw.execute("SELECT to_regclass('elt_meta.quality_results')").fetchone()[0] is None:
            return []
        return dw.execute(
            """SELECT layer, count(DISTINCT suite), count(*), count(*) FILTER (WHERE NOT success)
               FROM elt_meta.quality_results
               WHERE (layer, run_id) IN (SELECT DISTINCT ON (layer) layer, run_id FROM elt_meta.quality_results
                                         WHERE environment = 'prod' ORDER BY layer, checked_at DESC)
               GROUP BY layer ORDER BY min(checked_at)"""
        ).fetchall()


def format_quality(rows: list[tuple[str, int, int, int]]) -> str:
    lines = [f"{'checkpoints':<16}{'suites':>8}{'rules':>8}{'failed':>8}"]
    lines += [f"{layer:<16}{suites:>8}{rules:>8}{failed:>8}" for layer, suites, rules, failed in rows]
    return "\n".join(lines)
