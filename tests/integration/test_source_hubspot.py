"""HubSpot end to end: the simulator writes the CRM, the real mock server serves it over HTTP, and
the manifest-driven extractor loads it into a real warehouse. Raw must then hold exactly the
simulator's records (archived ones flagged deleted), with faults on or off, past a small search
cap, after a clock advance, and with bad values kept and flagged. The official hubspot-api-client
pages and searches through the same mock."""
from __future__ import annotations

import datetime as dt
import secrets
import uuid

import pytest
import requests

from include.simulation import simulate
from include.sources.api_extract import extract_source, load_manifest
from include.sources.credentials import client_for
from include.sources.hubspot import api
from include.warehouse.connect import connect

MANIFEST = load_manifest("hubspot")
FAULTS = {"rate_limit": 0.2, "server_error": 0.1, "truncate": 0.1, "duplicate": 0.3, "timeout": 0}
SEARCHED = [e.name for e in MANIFEST.entities if e.deleted_flag]         # the CRM objects, read by search


def token() -> str:
    return "pat-na1-" + secrets.token_hex(16)


@pytest.fixture(scope="module")
def simulated_app(pg_server):
    """One simulated app database (2 days at small scale) for the tests that only read it."""
    app = pg_server.with_database(f"elt_test_hubspot_{uuid.uuid4().hex[:10]}")
    with connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{app.database}"')
    simulate(app.url, days=2)
    yield app
    with connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{app.database}" WITH (FORCE)')


@pytest.fixture
def business(simulated_app, fresh_db):
    """The simulated app database and an empty warehouse."""
    return simulated_app, fresh_db("wh")


def extract_all(base_url: str, warehouse, names=None) -> dict:
    """Entities of the manifest, each with its own client so its retries are its own."""
    return {b.table: b for b in extract_source(MANIFEST, lambda: client_for("hubspot", base_url, token()), warehouse,
                                               names)}


def rows(url, sql: str, args=()) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def simulated(app, object_type: str) -> dict[str, tuple]:
    return {i: (payload, deleted) for i, payload, deleted in rows(
        app, "SELECT id, payload, deleted FROM sim.api_objects WHERE source = 'hubspot' AND object_type = %s",
        (object_type,))}


def assert_raw_matches_simulator(app, warehouse, names=None) -> None:
    for name in names or [e.name for e in MANIFEST.entities]:
        expected = simulated(app, name)
        latest = {i: (payload, deleted) for i, payload, deleted in rows(warehouse, f"""
            SELECT DISTINCT ON (id) id, payload, _deleted FROM raw_hubspot.{name} WHERE cardinality(_flags) = 0
            ORDER BY id, _extracted_at DESC, cursor_at DESC NULLS LAST""")}
        assert expected, f"the simulator wrote no {name}"
        assert latest.keys() == expected.keys(), f"{name}: ids missing or extra"
        assert latest == expected, f"{name}: payloads or deletions differ"
        assert rows(warehouse, f"SELECT count(*) - count(DISTINCT (id, _version)) FROM raw_hubspot.{name}") \
            == [(0,)], f"{name}: duplicate versions"


def test_raw_holds_exactly_the_simulators_records(business, mock_sources):
    app, warehouse = business
    batches = extract_all(mock_sources(app.url), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    assert all(b.rows_flagged == 0 and b.retries == 0 for b in batches.values())
    assert sum(b.rows_deleted for b in batches.values()) > 0, "archived objects arrive flagged deleted"
    with connect(warehouse) as conn:      # search returns no associations: they were read from the v4 batch API
        (linked,) = conn.execute("SELECT count(*) FROM raw_hubspot.deals "
                                 "WHERE jsonb_array_length(payload->'associations'->'companies') = 1").fetchone()
    assert linked > 0
    again = extract_all(mock_sources(app.url), warehouse)
    assert sum(b.rows_loaded for b in again.values()) == 0, "a re-run over the overlap adds nothing"


def test_the_same_records_through_rate_limits_errors_truncation_and_duplicates(business, mock_sources, monkeypatch):
    app, warehouse = business
    monkeypatch.setattr(api, "SEARCH_LIMIT", 50)       # several pages per entity, so every fault can hit paging
    batches = extract_all(mock_sources(app.url, FAULTS), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    assert sum(b.retries for b in batches.values()) > 0, "the faults were survived by retrying"
    assert all(b.rows_flagged == 0 for b in batches.values()), "a truncated page is retried, never half-loaded"


def test_records_repeated_across_pages_add_nothing(business, mock_sources, monkeypatch):
    app, warehouse = business
    monkeypatch.setattr(api, "SEARCH_LIMIT", 50)
    batches = extract_all(mock_sources(app.url, {"duplicate": 1.0}), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    paged = [name for name in SEARCHED if sum(not deleted for _, deleted in simulated(app, name).values()) > 50]
    assert paged and all(batches[name].rows_skipped > 0 for name in paged), "every later page repeated a record"


def test_search_past_a_small_result_cap_loses_nothing(business, mock_sources, monkeypatch):
    """With the cap at 20, the mock answers 400 past 20 results, as the real API does past 10,000:
    each query restarts after the last id read until everything is in."""
    app, warehouse = business
    monkeypatch.setenv("ELT_MOCK_HUBSPOT_SEARCH_CAP", "20")
    extract_all(mock_sources(app.url), warehouse, SEARCHED)
    assert_raw_matches_simulator(app, warehouse, SEARCHED)
    assert max(len(simulated(app, name)) for name in SEARCHED) > 3 * 20, "some entity was well past the cap"


def test_bad_values_are_kept_flagged_and_counted(business, mock_sources):
    app, warehouse = business
    batches = extract_all(mock_sources(app.url, {"bad_values": 0.05}), warehouse)
    assert sum(b.rows_flagged for b in batches.values()) > 0
    for entity in MANIFEST.entities:
        flagged = rows(warehouse, f"SELECT _flags, payload FROM raw_hubspot.{entity.name} "
                                  "WHERE cardinality(_flags) > 0")
        assert len(flagged) == batches[entity.name].rows_flagged, f"{entity.name}: every flagged record is counted"
        allowed = {f"not_a_number:{p}" for p in entity.numeric} | {f"missing:{p}" for p in entity.required}
        for flags, payload in flagged:
            assert set(flags) <= allowed, f"{entity.name}: unexpected flags {flags}"
            for flag in flags:
                kind, path = flag.split(":")
                holder = payload["properties"] if path.startswith("properties.") else payload
                value = holder.get(path.removeprefix("properties."))
                assert value == ("N/A" if kind == "not_a_number" else None)
        kept = {i for (i,) in rows(warehouse, f"SELECT DISTINCT id FROM raw_hubspot.{entity.name}")}
        assert kept == set(simulated(app, entity.name)), f"{entity.name}: a spoiled record was dropped"


def test_after_a_clock_advance_only_the_changes_are_pulled(fresh_db, mock_sources):
    app, warehouse = fresh_db("app"), fresh_db("wh")
    simulate(app.url, days=2)
    first = extract_all(mock_sources(app.url), warehouse)
    (clock,) = rows(app, "SELECT clock FROM sim.state")[0]
    changed = 0
    for _ in range(12):                  # the small company's CRM can be quiet for a quarter of an hour
        simulate(app.url, advance=dt.timedelta(minutes=15))
        (changed,) = rows(app, "SELECT count(*) FROM sim.api_objects WHERE source = 'hubspot' AND updated_at > %s",
                          (clock,))[0]
        if changed:
            break
    assert changed > 0, "three hours changed something"
    second = extract_all(mock_sources(app.url), warehouse)
    assert_raw_matches_simulator(app, warehouse)
    total = sum(b.rows_seen for b in first.values())
    assert sum(b.rows_seen for b in second.values()) < total / 5, "the second run reads only recent changes"
    assert sum(b.rows_loaded for b in second.values()) == changed, "each change is one new version"


def test_requests_without_the_token_get_hubspots_401(simulated_app, mock_sources):
    url = mock_sources(simulated_app.url)
    for headers in ({}, {"Authorization": "Bearer sk_test_123"}):
        resp = requests.get(f"{url}/crm/v3/objects/companies", headers=headers, timeout=5)
        assert resp.status_code == 401
        assert resp.json()["category"] == "INVALID_AUTHENTICATION" and resp.json()["status"] == "error"
    resp = requests.post(f"{url}/crm/v3/objects/deals/search", json={}, timeout=5)
    assert resp.status_code == 401


def test_the_official_client_pages_and_searches_the_mock(simulated_app, mock_sources):
    from hubspot import HubSpot
    from hubspot.crm.companies import ApiException, PublicObjectSearchRequest

    app = simulated_app
    url = mock_sources(app.url)
    client = HubSpot(access_token=token(), host=url)          # Configuration.host: the API's base URL
    live = {i for i, (_, deleted) in simulated(app, "companies").items() if not deleted}

    everything = client.crm.companies.get_all(properties=["name", "domain", "app_account_id"])
    assert {c.id for c in everything} == live
    assert all(c.properties["name"] for c in everything)

    first = client.crm.companies.basic_api.get_page(limit=10)
    second = client.crm.companies.basic_api.get_page(limit=10, after=first.paging.next.after)
    assert len(first.results) == 10 and not {c.id for c in first.results} & {c.id for c in second.results}

    (clock,) = rows(app, "SELECT clock FROM sim.state")[0]
    since = clock - dt.timedelta(hours=12)
    expected = {i for (i,) in rows(app, "SELECT id FROM sim.api_objects WHERE source = 'hubspot' AND "
                                        "object_type = 'companies' AND NOT deleted AND updated_at >= %s", (since,))}
    found, after = set(), None
    while True:
        page = client.crm.companies.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                         "value": str(int(since.timestamp() * 1000))}]}],
            sorts=["hs_object_id"], properties=["name"], limit=5, after=after))
        found |= {c.id for c in page.results}
        if page.paging is None:
            break
        after = page.paging.next.after
    assert expected and found == expected and page.total == len(expected)

    pipelines = client.crm.pipelines.pipelines_api.get_all(object_type="deals")
    assert [s.id for s in pipelines.results[0].stages][-2:] == ["closedwon", "closedlost"]
    owners = client.crm.owners.owners_api.get_page(limit=100)
    assert {o.id for o in owners.results} == set(simulated(app, "owners"))

    with pytest.raises(ApiException) as refused:
        HubSpot(access_token="not-a-token", host=url).crm.companies.basic_api.get_page()
    assert refused.value.status == 401
