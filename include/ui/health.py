"""The platform health page: how fresh each raw table is, the last result of every quality suite,
and the freshness SLA misses. Each part reads the warehouse's elt_meta tables; a table that does
not exist yet (nothing loaded, no suite run, no miss recorded) is an empty state, not an error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from include import report
from include.sla import FRESHNESS_SLA, SlaMiss
from include.ui.html import join, page, table, tag
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

SLA_MISSES_SHOWN = 50


@dataclass(frozen=True)
class SuiteResult:
    """A suite's latest run: how many of its rules passed, and which failed."""
    suite: str
    layer: str
    checked_at: datetime
    rules: int
    failed_rules: list[str]   # each with its offending row count when the rule counts rows


@dataclass(frozen=True)
class Health:
    freshness: list[tuple[str, datetime | None, datetime | None]]
    suites: list[SuiteResult]
    sla_misses: list[SlaMiss]


def _exists(conn, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None


def suite_results(conn) -> list[SuiteResult]:
    """Each suite's rules from its newest prod run (elt_meta.quality_results holds one row per rule
    and run; review runs on SQLMesh dev environments are the review DAG's business, not prod's health)."""
    if not _exists(conn, "elt_meta.quality_results"):
        return []
    rows = conn.execute(
        """WITH latest AS (SELECT DISTINCT ON (suite) suite, run_id FROM elt_meta.quality_results
                           WHERE environment = 'prod' ORDER BY suite, checked_at DESC)
           SELECT q.suite, min(q.layer), max(q.checked_at), count(*),
                  coalesce(array_agg(q.rule || coalesce(' (' || q.unexpected_count || ' rows)', '') ORDER BY q.rule)
                           FILTER (WHERE NOT q.success), '{}')
           FROM elt_meta.quality_results q JOIN latest USING (suite, run_id)
           GROUP BY q.suite ORDER BY q.suite""").fetchall()
    return [SuiteResult(*row) for row in rows]


def sla_misses(conn) -> list[SlaMiss]:
    if not _exists(conn, "elt_meta.sla_misses"):
        return []
    rows = conn.execute(
        """SELECT dag_id, run_id, deadline, detected_at, detail FROM elt_meta.sla_misses
           ORDER BY detected_at DESC LIMIT %s""", (SLA_MISSES_SHOWN,)).fetchall()
    return [SlaMiss(*row) for row in rows]


def platform_health(wh: Warehouse) -> Health:
    with connect(wh.warehouse) as conn:
        suites, misses = suite_results(conn), sla_misses(conn)
    return Health(report.freshness(wh), suites, misses)


def _minutes_ago(when: datetime | None, now: datetime) -> str:
    return "-" if when is None else f"{(now - when).total_seconds() / 60:,.1f} min ago"


def render(health: Health, now: datetime | None = None) -> str:
    """The short sections first: the freshness table has a row per raw table (dozens)."""
    now = now or datetime.now(timezone.utc)
    sla_minutes = FRESHNESS_SLA.seconds // 60
    late = {name for name, loaded, _ in health.freshness if loaded is None or now - loaded > FRESHNESS_SLA}
    failing = [s for s in health.suites if s.failed_rules]

    def verdict(bad: bool, bad_text: str, good_text: str):
        return tag("span", bad_text if bad else good_text, class_="bad" if bad else "good")

    summary = (f"{len(health.freshness)} raw tables loaded, {len(late)} late; {len(health.suites)} suites, "
               f"{len(failing)} failing; {len(health.sla_misses)} SLA misses recorded.")
    suites = table(
        ["suite", "layer", "checked at", "rules", "result", "failed rules"],
        ([s.suite, s.layer, s.checked_at, s.rules, verdict(bool(s.failed_rules), f"{len(s.failed_rules)} failed", "passed"),
          ", ".join(s.failed_rules) or "-"] for s in health.suites),
        "No suite has run yet: the quality DAG has not validated the warehouse.")
    misses = table(
        ["DAG", "run", "deadline", "detected at", "detail"],
        ([m.dag_id, m.run_id, m.deadline, m.detected_at, m.detail] for m in health.sla_misses),
        f"No SLA misses: every run finished within its share of the {sla_minutes}-minute freshness SLA.")
    freshness = table(
        ["raw table", "last load", "age", f"within {sla_minutes} min", "newest record (source cursor)"],
        ([name, loaded, _minutes_ago(loaded, now), verdict(name in late, "late", "fresh"), cursor]
         for name, loaded, cursor in health.freshness),
        "Nothing loaded yet: no el DAG has landed a batch in raw.")
    return page("Platform health",
                tag("p", f"As of {now:%Y-%m-%d %H:%M:%S}Z."),
                tag("p", summary, class_="summary"),
                join([tag("h2", "Last quality suite results (prod)"), suites]),
                join([tag("h2", f"SLA misses (latest {SLA_MISSES_SHOWN})"), misses]),
                join([tag("h2", "Freshness per raw table"), freshness]))
