"""Every expectation of every run, kept in the warehouse: elt_meta.quality_results, one row per
expectation per run. The Airflow plugin's "last suite results" and people's queries read it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from psycopg.types.json import Jsonb

from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl

DDL = """
CREATE SCHEMA IF NOT EXISTS elt_meta;
CREATE TABLE IF NOT EXISTS elt_meta.quality_results (
    run_id           text        NOT NULL,
    checked_at       timestamptz NOT NULL,
    layer            text        NOT NULL,
    environment      text        NOT NULL,
    suite            text        NOT NULL,
    table_name       text        NOT NULL,
    rule             text        NOT NULL,
    expectation      text        NOT NULL,
    success          boolean     NOT NULL,
    element_count    bigint,
    unexpected_count bigint,
    unexpected_percent double precision,
    sample           jsonb       NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, suite, rule)
);
CREATE INDEX IF NOT EXISTS quality_results_suite_checked_at ON elt_meta.quality_results (suite, checked_at DESC);
"""


@dataclass(frozen=True)
class RuleResult:
    suite: str
    table_name: str   # the table checked, as named in this environment (entity__dev.entity_customers)
    rule: str
    expectation: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    sample: list      # a few offending rows: key values and the checked value, or the SQL rule's rows


def record(warehouse: PgUrl, run_id: str, checked_at: datetime, layer: str, environment: str,
           results: list[RuleResult]) -> None:
    """Write one run's rows in one transaction."""
    with connect(warehouse) as conn:
        if conn.execute("SELECT to_regclass('elt_meta.quality_results')").fetchone()[0] is None:
            # Layers run in parallel: one of them creates the table, the others wait for it.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('elt_meta.quality_results'))")
            conn.execute(DDL)
        with conn.cursor() as cur:
            cur.executemany(
                """INSERT INTO elt_meta.quality_results (run_id, checked_at, layer, environment, suite, table_name,
                       rule, expectation, success, element_count, unexpected_count, unexpected_percent, sample)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                [(run_id, checked_at, layer, environment, r.suite, r.table_name, r.rule, r.expectation, r.success,
                  r.element_count, r.unexpected_count, r.unexpected_percent, Jsonb(r.sample, dumps=_dumps)) for r in results])


def _dumps(value) -> str:
    return json.dumps(value, default=str)   # sample rows hold dates, uuids and decimals
