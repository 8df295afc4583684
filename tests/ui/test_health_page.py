"""The platform health page on a real warehouse whose elt_meta tables were written by the platform's
own writers (include/quality/results.py record, include/sla.py record): each suite's newest prod
run, its failed rules with their row counts, review runs on dev left out, the SLA misses newest
first. The browser test (test_airflow_ui.py) looks at the page on the built warehouse."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from include import sla
from include.quality.results import RuleResult, record
from include.ui import health
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def rule(suite: str, name: str, unexpected: int) -> RuleResult:
    return RuleResult(suite, suite, name, "ExpectColumnValuesToNotBeNull", unexpected == 0, 100, unexpected,
                      float(unexpected), [])


def test_each_suites_newest_prod_run_and_the_sla_misses(fresh_db):
    url = fresh_db("h6hp")
    wh = Warehouse(url, url, embedded=False)
    empty = health.platform_health(wh)
    assert empty == health.Health([], [], []), "no elt_meta tables yet: every part is empty, none fails"
    assert "No suite has run yet" in health.render(empty) and "No SLA misses" in health.render(empty)

    customers, accounts = "entity.entity_customers", "staging.stg_app__accounts"
    record(url, "entity-1", T0, "entity", "prod", [rule(customers, "completeness of name", 7),
                                                   rule(customers, "key of customer_id", 0)])
    record(url, "entity-2", T0 + timedelta(minutes=15), "entity", "prod",
           [rule(customers, "completeness of name", 0), rule(customers, "key of customer_id", 0)])
    record(url, "staging-1", T0, "staging", "prod", [rule(accounts, "range of seats in 0..", 3),
                                                     rule(accounts, "key of id", 0)])
    # A later review run on a SQLMesh dev environment fails everything: prod's health is unchanged.
    record(url, "entity-dev", T0 + timedelta(hours=1), "entity", "dev",
           [rule(customers, "completeness of name", 50), rule(customers, "key of customer_id", 9)])
    with connect(url) as conn:
        for minutes in (5, 20):
            sla.record(conn, sla.SlaMiss("transform", f"run-{minutes}", T0, T0 + timedelta(minutes=minutes),
                                         f"missed by {minutes}"))

    got = health.platform_health(wh)
    assert got.suites == [
        health.SuiteResult(customers, "entity", T0 + timedelta(minutes=15), 2, []),
        health.SuiteResult(accounts, "staging", T0, 2, ["range of seats in 0.. (3 rows)"]),
    ]
    assert [m.run_id for m in got.sla_misses] == ["run-20", "run-5"], "newest first"

    page = health.render(got, now=T0 + timedelta(hours=2))
    assert "1 failed" in page and "range of seats in 0.. (3 rows)" in page and "passed" in page
    assert "missed by 20" in page and "No SLA misses" not in page and "No suite has run yet" not in page
    assert "0 raw tables loaded, 0 late; 2 suites, 1 failing; 2 SLA misses recorded." in page
