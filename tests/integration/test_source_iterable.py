"""Iterable end to end: the simulator writes the business, the real mock server serves it over
HTTP, and the manifest-driven extractor loads it into a real warehouse. Raw must then hold exactly
the simulator's records, with faults on or off, after a clock advance, and with bad values kept
and flagged."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
import requests

from include.simulation import simulate
from include.sources.api_extract import extract_source, load_manifest
from include.sources.credentials import client_for
from include.warehouse.connect import connect

MANIFEST = load_manifest("iterable")
FAULTS = {"rate_limit": 0.2, "server_error": 0.1, "truncate": 0.1, "duplicate": 0.3, "timeout": 0}
# Two days at small scale always have these; bounces, unsubscribes and survey answers are rarer.
NEVER_EMPTY = {"users", "lists", "campaigns", "email_sends", "email_opens", "email_clicks"}


@pytest.fixture
def business(fresh_db):
    """A simulated app database (2 days at small scale) and an empty warehouse."""
    app, warehouse = fresh_db("app"), fresh_db("wh")
    simulate(app.url, days=2)
    return app, warehouse


def extract_all(base_url: str, warehouse) -> dict:
    """Every entity of the manifest, each with its own client so its retries are its own."""
    key = secrets.token_hex(16)
    return {b.table: b for b in extract_source(MANIFEST, lambda: client_for("iterable", base_url, key), warehouse)}


def rows(url, sql: str, args=()) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def assert_raw_matches_simulator(app, warehouse) -> None:
    for entity in MANIFEST.entities:
        expected = dict(rows(app, "SELECT id, payload FROM sim.api_objects WHERE source = 'iterable' "
                                  "AND object_type = %s", (entity.name,)))
        latest = dict(rows(warehouse, f"""SELECT DISTINCT ON (id) id, payload FROM raw_iterable.{entity.name}
                                          WHERE cardinality(_flags) = 0
                                          ORDER BY id, _extracted_at DESC, cursor_at DESC NULLS LAST"""))
        assert expected or entity.name not in NEVER_EMPTY, f"the simulator wrote no {entity.name}"
        assert latest.keys() == expected.keys(), f"{entity.name}: ids missing or extra"
        assert latest == expected, f"{entity.name}: payloads differ"
        assert rows(warehouse, f"SELECT count(*) - count(DISTINCT (id, _version)) FROM raw_iterable.{entity.name}") \
            == [(0,)], f"{entity.name}: duplicate versions"


def test_raw_holds_exactly_the_simulators_records(business, mock_sources):
    app, warehouse = business
    batches = extract_all(mock_sources(app.url), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    assert all(b.rows_flagged == 0 and b.retries == 0 for b in batches.values())
    # a re-run reads the overlap (and lists and campaigns in full) and adds nothing
    again = extract_all(mock_sources(app.url), warehouse)
    assert sum(b.rows_loaded for b in again.values()) == 0
    assert sum(b.rows_skipped for b in again.values()) > 0


def test_the_same_records_through_rate_limits_errors_truncation_and_duplicates(business, mock_sources):
    app, warehouse = business
    batches = extract_all(mock_sources(app.url, FAULTS), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    assert sum(b.retries for b in batches.values()) > 0, "the faults were survived by retrying"
    assert sum(b.rows_skipped for b in batches.values()) > 0, "duplicated lines were recognised"
    assert all(b.rows_flagged == 0 for b in batches.values()), "a truncated export is retried, never half-loaded"


def test_bad_values_are_kept_flagged_and_counted(business, mock_sources):
    app, warehouse = business
    batches = extract_all(mock_sources(app.url, {"bad_values": 0.05}), warehouse)
    assert sum(b.rows_flagged for b in batches.values()) > 0
    kinds = set()
    for name, batch in batches.items():
        flagged = rows(warehouse, f"SELECT _flags FROM raw_iterable.{name} WHERE cardinality(_flags) > 0")
        assert len(flagged) == batch.rows_flagged, name
        assert rows(warehouse, "SELECT rows_flagged FROM elt_meta.batches WHERE batch_id = %s",
                    (batch.batch_id,)) == [(batch.rows_flagged,)]
        kinds |= {flag.split(":")[0] for (flags,) in flagged for flag in flags}
        entity = MANIFEST.entity(name)
        allowed = {f"not_a_number:{p}" for p in entity.numeric} | {f"missing:{p}" for p in entity.required}
        allowed.add(f"missing:{entity.primary_key}")
        assert {f for (flags,) in flagged for f in flags} <= allowed, name
    assert "missing" in kinds and kinds <= {"not_a_number", "missing"}
    # one row per record the simulator wrote, clean or flagged: nothing was dropped
    for name in batches:
        assert rows(warehouse, f"SELECT count(*) FROM raw_iterable.{name}") == rows(
            app, "SELECT count(*) FROM sim.api_objects WHERE source = 'iterable' AND object_type = %s", (name,)), name


def test_after_a_clock_advance_only_the_changes_are_pulled(business, mock_sources):
    app, warehouse = business
    first = extract_all(mock_sources(app.url), warehouse)
    simulate(app.url, advance=dt.timedelta(minutes=15))
    changed = dict(rows(app, """SELECT object_type, count(*) FROM sim.api_objects WHERE source = 'iterable'
                                AND updated_at > (SELECT clock FROM sim.state) - interval '15 minutes' GROUP BY 1"""))
    second = extract_all(mock_sources(app.url), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    exported = [name for name in second if name not in ("lists", "campaigns")]
    assert sum(second[n].rows_seen for n in exported) * 4 < sum(first[n].rows_seen for n in exported)
    for name in exported:
        assert second[name].rows_loaded == changed.get(name, 0), f"{name}: the new versions are what changed"


def test_auth_errors_list_members_and_campaign_pages(business, mock_sources):
    app, _ = business
    url, headers = mock_sources(app.url), {"Api-Key": secrets.token_hex(16)}
    for bad in ({}, {"Api-Key": "not-a-key"}):
        resp = requests.get(f"{url}/api/lists", headers=bad, timeout=5)
        assert resp.status_code == 401 and resp.json()["code"] == "BadApiKey"
    resp = requests.get(f"{url}/api/export/data.json", params={"dataTypeName": "emailSend"}, headers=headers, timeout=5)
    assert resp.status_code == 400 and resp.json()["code"] == "BadParams", "a date range or range=All is required"
    users = dict(rows(app, "SELECT id, payload FROM sim.api_objects WHERE source = 'iterable' AND object_type = 'users'"))
    lists = requests.get(f"{url}/api/lists", headers=headers, timeout=5).json()["lists"]
    assert {l["name"] for l in lists} == {"Newsletter", "Product updates", "Trial nurture", "Churn win-back"}
    for lst in lists:
        resp = requests.get(f"{url}/api/lists/getUsers", params={"listId": lst["id"]}, headers=headers, timeout=5)
        assert resp.headers["Content-Type"].startswith("text/plain")
        assert set(resp.text.split()) == {e for e, p in users.items() if lst["id"] in p["emailListIds"]}
    seen, page = [], f"{url}/api/campaigns?page=1&pageSize=3"
    while page:
        body = requests.get(page, headers=headers, timeout=5).json()
        seen += [c["id"] for c in body["campaigns"]]
        page = body.get("nextPageUrl")
    assert len(seen) == len(set(seen)) == body["totalCampaignsCount"] > 3
