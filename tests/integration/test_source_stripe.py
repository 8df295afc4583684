"""Stripe end to end: the simulator's billing objects (sim.api_objects), served by the real mock
server over HTTP, extracted by the manifest-driven extractor into a real Postgres warehouse; with
faults, bad values and a clock advance; and paged by the official `stripe` library."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
import stripe

from include.simulation import simulate
from include.simulation.sources.stripe import API_VERSION
from include.sources.api_extract import extract_source, load_manifest
from include.sources.credentials import client_for
from include.warehouse.connect import connect

MANIFEST = load_manifest("stripe")
KEY = "sk_test_integration0123456789"
FAULTS = {"rate_limit": 0.2, "server_error": 0.1, "truncate": 0.1, "duplicate": 0.3, "timeout": 0}
RARE = {"refunds", "discounts"}          # a few a day at small scale: some runs have none
# Staging's rows: unflagged, or a deleted customer's tombstone, which has no `created` cursor.
USABLE = "cardinality(_flags) = 0 OR (_deleted AND _flags = ARRAY['bad_cursor:created'])"


def q(url, sql, args=()):
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture
def billing(fresh_db):
    """A simulated app database (small scale, 2 days) and an empty warehouse."""
    app, wh = fresh_db("app"), fresh_db("wh")
    simulate(app.url, days=2)
    return app, wh


def extract_all(base_url, wh):
    def client():
        made = client_for("stripe", base_url, KEY)
        made.backoff_seconds = 0.01
        return made

    return {b.table: b for b in extract_source(MANIFEST, client, wh)}


def simulator_objects(app, entity) -> dict[str, dict]:
    """What an extractor can see: every object, but a customer deleted before Stripe's 30 days of
    events has neither a list entry nor an event left."""
    rows = q(app, """SELECT id, payload FROM sim.api_objects o WHERE source = 'stripe' AND object_type = %s
                     AND (NOT deleted OR EXISTS (SELECT 1 FROM sim.api_objects e WHERE e.source = 'stripe'
                          AND e.object_type = 'events' AND e.payload->'data'->'object'->>'id' = o.id))""", (entity,))
    return dict(rows)


def raw_latest(wh, entity) -> dict[str, dict]:
    return dict(q(wh, f"""SELECT DISTINCT ON (id) id, payload FROM raw_stripe.{entity} WHERE {USABLE}
                          ORDER BY id, _extracted_at DESC, cursor_at DESC NULLS LAST"""))


def assert_raw_is_simulator(app, wh):
    for entity in MANIFEST.entities:
        expected, got = simulator_objects(app, entity.name), raw_latest(wh, entity.name)
        assert expected or entity.name in RARE, f"the simulator made no {entity.name}"
        assert set(got) == set(expected), \
            f"{entity.name}: missing {set(expected) - set(got)}, extra {set(got) - set(expected)}"
        assert [i for i in expected if got[i] != expected[i]] == [], f"{entity.name}: stale versions"
        assert q(wh, f"SELECT count(*) - count(DISTINCT (id, _version)) FROM raw_stripe.{entity.name}") == [(0,)]


def test_every_raw_table_holds_exactly_the_simulators_objects(billing, mock_sources):
    app, wh = billing
    batches = extract_all(mock_sources(app.url), wh)
    assert_raw_is_simulator(app, wh)
    assert batches["customers"].rows_deleted > 0, "closed accounts' customers arrive as deleted"
    accounts = {str(account_id) for (account_id,) in q(app, "SELECT id FROM accounts")}
    linked = {c["metadata"]["account_id"] for c in simulator_objects(app, "customers").values() if "metadata" in c}
    assert linked and linked <= accounts, "every live customer joins its app account"


def test_faults_change_nothing_in_the_result(billing, mock_sources):
    app, wh = billing
    batches = extract_all(mock_sources(app.url, FAULTS), wh)
    assert sum(b.retries for b in batches.values()) > 0
    assert_raw_is_simulator(app, wh)


def test_bad_values_are_kept_flagged_and_counted(billing, mock_sources):
    app, wh = billing
    batches = extract_all(mock_sources(app.url, {"bad_values": 0.05}), wh)
    spoiled = 0
    for entity in MANIFEST.entities:
        rows = q(wh, f"SELECT payload, _flags, _deleted FROM raw_stripe.{entity.name} WHERE cardinality(_flags) > 0")
        assert batches[entity.name].rows_flagged == len(rows)
        for payload, flags, deleted in rows:
            if deleted:
                assert flags == ["bad_cursor:created"] and set(payload) == {"id", "object", "deleted"}
                continue
            spoiled += 1
            for flag in flags:
                kind, _, field = flag.partition(":")
                if kind == "not_a_number":
                    assert payload[field] == "N/A" and field in entity.numeric
                elif kind == "missing":
                    assert field not in payload and field in entity.required
                else:
                    assert flag == "bad_cursor:created" and payload.get("created") in (None, "N/A")
    assert spoiled > 0


def test_a_second_run_after_an_advance_pulls_only_what_changed(billing, mock_sources):
    app, wh = billing
    url = mock_sources(app.url)
    first = extract_all(url, wh)
    (clock,) = q(app, "SELECT clock FROM sim.state")[0]
    simulate(app.url, advance=dt.timedelta(minutes=15))
    (changed,) = q(app, "SELECT count(*) FROM sim.api_objects WHERE source = 'stripe' AND updated_at > %s", (clock,))[0]
    second = extract_all(url, wh)
    assert_raw_is_simulator(app, wh)
    assert sum(b.rows_loaded for b in second.values()) == changed, "one new version per changed object"
    assert sum(b.rows_seen for b in second.values()) < sum(b.rows_seen for b in first.values()) / 4


def test_the_mock_speaks_stripe_and_the_official_library_pages_through_it(billing, mock_sources, monkeypatch):
    app, _ = billing
    url = mock_sources(app.url)
    for headers in ({}, {"Authorization": "Bearer sk_live_nope"}, {"Authorization": "Bearer pat-na1-x"}):
        resp = requests.get(f"{url}/v1/customers", headers=headers, timeout=5)
        assert resp.status_code == 401 and resp.json()["error"]["type"] == "invalid_request_error"
    resp = requests.get(f"{url}/v1/customers", params={"limit": 5}, auth=(KEY, ""), timeout=5)  # HTTP basic
    assert resp.status_code == 200 and resp.headers["Stripe-Version"] == API_VERSION
    page = resp.json()
    assert page["object"] == "list" and page["url"] == "/v1/customers" and page["has_more"]
    created = [c["created"] for c in page["data"]]
    assert created == sorted(created, reverse=True), "newest first"
    ids = [c["id"] for c in page["data"]]
    back = requests.get(f"{url}/v1/customers", params={"limit": 2, "ending_before": ids[4]}, auth=(KEY, ""), timeout=5)
    assert [c["id"] for c in back.json()["data"]] == ids[2:4]
    assert requests.get(f"{url}/v1/customers", params={"limit": 101}, auth=(KEY, ""), timeout=5).status_code == 400
    missing = requests.get(f"{url}/v1/customers/cus_nope", auth=(KEY, ""), timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"

    monkeypatch.setattr(stripe, "api_base", url)
    monkeypatch.setattr(stripe, "api_key", KEY)

    def ids_of(object_type, live_only=False):
        return {i for (i,) in q(app, "SELECT id FROM sim.api_objects WHERE source = 'stripe' AND object_type = %s"
                                     + (" AND NOT deleted" if live_only else ""), (object_type,))}

    assert {c.id for c in stripe.Customer.list(limit=3).auto_paging_iter()} == ids_of("customers", live_only=True)
    assert {s.id for s in stripe.Subscription.list(limit=3, status="all").auto_paging_iter()} == ids_of("subscriptions")
    invoices = list(stripe.Invoice.list(limit=3).auto_paging_iter())
    assert {i.id for i in invoices} == ids_of("invoices")
    invoice = stripe.Invoice.retrieve(invoices[0].id)
    assert invoice.parent.subscription_details.subscription.startswith("sub_")
    assert invoice.lines.data[0].object == "line_item"
