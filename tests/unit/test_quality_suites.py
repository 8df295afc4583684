"""The suites as code: one per table of every validated layer, rules read from the models'
MODEL blocks, SQL rules pointed at the environment's schemas. No database needed."""
from __future__ import annotations

import pytest

from include.errors import EltError
from include.paths import SQLMESH_DIR
from include.quality.model_rules import read_model
from include.quality.rules import FRESHNESS_SLA_MINUTES, refers_to
from include.quality.runner import schemas
from include.quality.suites import LAYERS, layer_suites, model_suites
from include.sources import registry


def test_one_suite_per_raw_table_with_key_cursor_and_freshness():
    suites = {s.name: s for s in layer_suites("raw")}
    expected = {f"raw_{source}.{t}" for source in registry.available() for t in registry.raw_tables(source)}
    assert set(suites) == expected
    assert [r.name for r in suites["raw_app.accounts"].rules] == [
        "key of id", "completeness of updated_at", f"freshness of _extracted_at within {FRESHNESS_SLA_MINUTES} minutes"]
    assert [r.name for r in suites["raw_stripe.customers"].rules][:2] == [
        "key of id", "completeness of cursor_at (rows not flagged)"]


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer != "raw"])
def test_one_suite_per_model_named_after_its_table(layer):
    models = sorted(p.stem for p in (SQLMESH_DIR / "models" / layer).glob("*.sql"))
    suites = layer_suites(layer)
    assert [s.table for s in suites] == models
    assert all(s.name == f"{layer}.{s.table}" and s.key for s in suites)
    for suite in suites:
        names = [r.name for r in suite.rules]
        assert len(names) == len(set(names)), f"{suite.name}: rule names identify the rule"


def test_the_model_block_gives_key_ranges_and_accepted_values():
    grain, rules = read_model(SQLMESH_DIR / "models" / "entity" / "entity_customers.sql")
    assert grain == ("customer_key",)
    by_name = {r.name: r for r in rules}
    assert by_name["range of customer_health_score (0 to 100)"].kwargs == {
        "column": "customer_health_score", "min_value": 0, "max_value": 100}
    assert by_name["range of device_online_ratio (0 to 1)"].kwargs["max_value"] == 1
    assert by_name["range of monthly_recurring_revenue (>= 0)"].kwargs["max_value"] is None
    assert by_name["accepted values of health_band"].kwargs["value_set"] == ["healthy", "stable", "at_risk"]
    assert "key of customer_key" in by_name


def test_every_governance_rule_kind_is_covered():
    kinds = {r.kind for layer in LAYERS for s in layer_suites(layer) for r in s.rules}
    assert kinds == {"key", "completeness", "range", "accepted values", "referential integrity", "consistency",
                     "freshness"}


def test_sql_rules_read_the_environment_schemas():
    (rule,) = refers_to("account_id", "{entity}.entity_customers")
    assert rule.name == "referential integrity of account_id in entity.entity_customers.account_id"
    dev = rule.build(schemas("dev")).unexpected_rows_query
    assert "entity__dev.entity_customers" in dev and "{batch}" in dev
    assert "entity.entity_customers" in rule.build(schemas("prod")).unexpected_rows_query


def test_rules_for_a_table_that_is_not_a_model_are_an_error():
    with pytest.raises(EltError, match="entity_customerz, which are not models in sqlmesh/models/entity/"):
        model_suites("entity", {"entity_customerz": []})
    with pytest.raises(EltError, match="unknown quality layer 'staging'"):
        layer_suites("staging")
