"""The GX suites against a warehouse the platform built (conftest's built_warehouse): green on an
honestly fresh copy, and each kind of rule broken on purpose on a private copy fails the right
layer with a message naming the suite, the rule and the table. One of them runs through the real
Airflow runtime (`airflow dags test quality`)."""
from __future__ import annotations

import secrets
import sqlite3

import pytest

from include.paths import DATA_DOCS_DIR
from include.quality.runner import QualityFailure, run_layer
from include.quality.suites import LAYERS, layer_suites
from include.warehouse.connect import connect

pytestmark = pytest.mark.slow


def extract_everything(built, warehouse) -> None:
    """What the el DAGs do every 15 minutes: each source's tables into the copy's raw, from the
    same app database and mock APIs. Nothing new may arrive, but every table's load is recorded,
    so raw is current as of now."""
    from include.sources import registry
    from include.sources.api_extract import extract_entity, load_manifest, release_connections
    from include.sources.app.extract import extract_table
    from include.sources.credentials import auth_spec, client_for

    for table in registry.raw_tables("app"):
        extract_table(built.app, warehouse, table)
    for source in (s for s in registry.available() if registry.is_api(s)):
        manifest = load_manifest(source)
        for entity in manifest.entities:
            client = client_for(source, built.mock_url, auth_spec(source).get("key_prefix", "") + secrets.token_hex(16))
            client.backoff_seconds = 0.01
            extract_entity(manifest, entity.name, client, warehouse)
    release_connections()


@pytest.fixture
def fresh_copy(built_warehouse, warehouse_copy):
    warehouse = warehouse_copy()
    extract_everything(built_warehouse, warehouse)
    return warehouse


def execute(warehouse, sql: str) -> int:
    with connect(warehouse) as conn:
        return conn.execute(sql).rowcount


def query(warehouse, sql: str) -> list[tuple]:
    with connect(warehouse) as conn:
        return conn.execute(sql).fetchall()


def failure(warehouse, layer: str) -> str:
    with pytest.raises(QualityFailure) as raised:
        run_layer(warehouse, layer)
    return str(raised.value)


def test_every_suite_passes_on_a_fresh_warehouse_and_results_and_docs_are_kept(fresh_copy):
    for layer in LAYERS:
        result = run_layer(fresh_copy, layer)
        assert result.success, result.failures
        suites = layer_suites(layer)
        assert {r.suite for r in result.results} == {s.name for s in suites}, "every table's suite ran"
        assert len(result.results) == sum(len(s.rules) for s in suites), "every rule has a result"
        with connect(fresh_copy) as conn:
            rows = conn.execute("SELECT count(*), bool_and(success), min(layer), min(environment) "
                                "FROM elt_meta.quality_results WHERE run_id = %s", (result.run_id,)).fetchone()
        assert rows == (len(result.results), True, layer, "prod")
    index = DATA_DOCS_DIR / "index.html"
    assert result.data_docs == index and index.exists()
    html = index.read_text()
    for name in ("raw_app.accounts", "entity.entity_customers", "crm.fact_deals", "metrics.metrics_company_overview"):
        assert name in html, f"the data docs index lists suite {name}"


def test_a_required_column_under_95_percent_populated_fails_completeness(warehouse_copy):
    warehouse = warehouse_copy()
    # One row in five loses its name: 80 % populated.
    assert execute(warehouse, "UPDATE entity.entity_customers SET account_name = NULL "
                              "WHERE customer_key IN (SELECT customer_key FROM entity.entity_customers "
                              "ORDER BY customer_key LIMIT (SELECT count(*) / 5 FROM entity.entity_customers))") > 0
    message = failure(warehouse, "entity")
    assert ("suite entity.entity_customers: rule completeness of account_name [expect_column_values_to_not_be_null] "
            "failed on table entity.entity_customers") in message
    assert "customer_key=" in message, "the sample names the offending rows' keys"
    assert message.count("\nsuite ") == 1, "only that rule broke"
    with connect(warehouse) as conn:
        (row,) = conn.execute("SELECT success, unexpected_count, sample FROM elt_meta.quality_results "
                              "WHERE suite = 'entity.entity_customers' AND rule = 'completeness of account_name'").fetchall()
    assert row[0] is False and row[1] >= 11 and row[2] and "customer_key" in row[2][0]


def test_a_health_score_of_150_fails_the_range_rule(warehouse_copy):
    warehouse = warehouse_copy()
    with connect(warehouse) as conn:
        (key,) = conn.execute("UPDATE entity.entity_customers SET customer_health_score = 150 WHERE customer_key = "
                              "(SELECT min(customer_key) FROM entity.entity_customers) RETURNING customer_key").fetchone()
    message = failure(warehouse, "entity")
    assert ("suite entity.entity_customers: rule range of customer_health_score (0 to 100) "
            "[expect_column_values_to_be_between] failed on table entity.entity_customers: 1 of") in message
    assert f"customer_key={key}" in message and "customer_health_score=150" in message


def test_raw_older_than_the_sla_fails_freshness(built_warehouse, fresh_copy):
    # One table's last load, rows and ledger alike, was 20 minutes ago; everything else is current.
    for sql in ("UPDATE raw_app.features SET _extracted_at = _extracted_at - interval '20 minutes'",
                "UPDATE elt_meta.batches SET finished_at = finished_at - interval '20 minutes' "
                "WHERE source = 'app' AND table_name = 'features'"):
        assert execute(fresh_copy, sql) > 0
    message = failure(fresh_copy, "raw")
    assert ("suite raw_app.features: rule freshness of _extracted_at within 15 minutes [unexpected_rows_expectation] "
            "failed on table raw_app.features: 1 row unexpected; sample: last_loaded=") in message
    assert "age=0:20:" in message, "the sample says how old the table is"
    assert message.count("\nsuite ") == 1, "only the stale table broke"


def test_a_raw_cursor_missing_without_a_flag_fails_completeness_and_flagged_ones_pass(fresh_copy):
    """Records the source sent without a cursor are kept, flagged, by design: however many, they
    pass. A row with no cursor and no flag is a loss of the extractor's, and fails."""
    assert execute(fresh_copy, "UPDATE raw_stripe.customers SET cursor_at = NULL, "
                               "_flags = ARRAY['bad_cursor:created'] WHERE id IN (SELECT id FROM raw_stripe.customers "
                               "ORDER BY id LIMIT 10)") > 0
    assert run_layer(fresh_copy, "raw").success
    (unflagged,) = query(fresh_copy, "UPDATE raw_stripe.customers SET cursor_at = NULL WHERE id = (SELECT max(id) "
                                     "FROM raw_stripe.customers) RETURNING id")
    message = failure(fresh_copy, "raw")
    assert ("suite raw_stripe.customers: rule completeness of cursor_at (rows not flagged) "
            "[unexpected_rows_expectation] failed on table raw_stripe.customers: ") in message
    assert f"id={unflagged[0]}" in message and message.count("\nsuite ") == 1


def test_mrr_changed_in_one_layer_only_fails_consistency(warehouse_copy):
    warehouse = warehouse_copy()
    assert execute(warehouse, "UPDATE metrics.metrics_company_overview SET total_mrr = total_mrr + 100 "
                              "WHERE metric_date = (SELECT max(metric_date) FROM metrics.metrics_company_overview)") == 1
    message = failure(warehouse, "metrics")
    assert ("suite metrics.metrics_company_overview: rule consistency of total_mrr with "
            "marts.executive_customer_health_kpis [unexpected_rows_expectation] failed on table "
            "metrics.metrics_company_overview: 1 row unexpected") in message
    assert "kpi_total_mrr=" in message
    assert run_layer(warehouse, "marts").success, "the marts still agree with the entity layer"


def test_the_quality_dag_fails_the_layer_that_broke_and_still_builds_the_docs(built_warehouse, fresh_copy, tmp_path):
    from include.airflow_runtime import airflow, migrate
    from include.warehouse.settings import Warehouse

    assert execute(fresh_copy, "UPDATE metrics.metrics_company_overview SET total_mrr = total_mrr + 100 "
                               "WHERE metric_date = (SELECT max(metric_date) FROM metrics.metrics_company_overview)") == 1
    wh, home = Warehouse(fresh_copy, built_warehouse.app, False), tmp_path / "airflow"
    migrate(wh, home)
    result = airflow(wh, "dags", "test", "quality", capture=True, check=False, home=home)
    assert result.returncode != 0, "a failed layer fails the run"
    with sqlite3.connect(home / "airflow.db") as meta:
        states = dict(meta.execute("SELECT task_id, state FROM task_instance WHERE dag_id = 'quality'"))
        tries = dict(meta.execute("SELECT task_id, try_number FROM task_instance WHERE dag_id = 'quality'"))
        runs = meta.execute("SELECT state FROM dag_run WHERE dag_id = 'quality'").fetchall()
    assert runs == [("failed",)], "the run fails with its layer, though the data docs task after it succeeded"
    assert states == {**dict.fromkeys(LAYERS, "success"), "metrics": "failed", "data_docs": "success"}
    assert tries["metrics"] == 1, "a broken rule is not retried"
    logs = "\n".join(p.read_text() for p in (home / "logs").rglob("*.log") if "task_id=metrics" in str(p))
    logs += result.stdout + result.stderr
    assert ("suite metrics.metrics_company_overview: rule consistency of total_mrr with "
            "marts.executive_customer_health_kpis") in logs
