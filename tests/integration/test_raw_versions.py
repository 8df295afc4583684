"""Raw versioning of the API extractor, with records handed in directly (the fetch function of one
entity is replaced): a record lands when it differs from the latest version raw holds of its id,
so re-reads add nothing while a record that changes and changes back (A, B, A) lands every change,
across batches and within one."""
from __future__ import annotations

import pytest

from include.sources import api_extract
from include.errors import EltError
from include.sources.api_extract import extract_entity, extract_source, load_manifest
from include.sources.credentials import client_for
from include.sources.iterable import api as iterable_api
from include.warehouse.connect import connect

MANIFEST = load_manifest("iterable")
T0 = 1_764_500_000_000          # epoch milliseconds: the campaigns' updatedAt cursor


def campaign(state: str, updated_at: int = T0, **extra) -> dict:
    return {"id": 7, "name": "Onboarding", "type": "Triggered", "campaignState": state, "templateId": 3,
            "sendSize": 10, "createdAt": T0, "updatedAt": updated_at, **extra}


@pytest.fixture
def load(fresh_db, monkeypatch):
    """load(records) runs one batch of iterable campaigns that fetches exactly these records;
    versions() is raw's history of id 7 as staging orders it (oldest first)."""
    warehouse = fresh_db("wh")

    def run(records: list[dict]):
        monkeypatch.setattr(iterable_api, "campaigns", lambda client, since: iter(records))
        return extract_entity(MANIFEST, "campaigns", client_for("iterable", "http://127.0.0.1:9", "0" * 32), warehouse)

    def versions() -> list[str]:
        with connect(warehouse) as conn:
            return [r[0] for r in conn.execute(
                "SELECT payload->>'campaignState' FROM raw_iterable.campaigns WHERE id = '7' "
                "ORDER BY _extracted_at, cursor_at NULLS FIRST, _version").fetchall()]

    run.versions = versions
    run.warehouse = warehouse
    return run


def test_a_record_that_changes_back_lands_as_a_new_version(load):
    assert load([campaign("Draft")]).rows_loaded == 1
    assert load([campaign("Running")]).rows_loaded == 1
    back = load([campaign("Draft")])
    assert (back.rows_loaded, back.rows_skipped) == (1, 0), "A -> B -> A: the revert is a change"
    assert load.versions() == ["Draft", "Running", "Draft"]
    again = load([campaign("Draft"), campaign("Draft")])
    assert (again.rows_loaded, again.rows_skipped) == (0, 2), "the latest version re-read adds nothing"
    assert load.versions() == ["Draft", "Running", "Draft"]


def test_changes_within_one_batch_keep_their_order_and_collapse_repeats(load):
    batch = load([campaign("Draft", T0), campaign("Running", T0 + 1000), campaign("Running", T0 + 1000),
                  campaign("Draft", T0 + 2000)])
    assert (batch.rows_seen, batch.rows_loaded, batch.rows_skipped) == (4, 3, 1)
    assert load.versions() == ["Draft", "Running", "Draft"]
    # a later batch compares with the newest of them (Draft), not with any stored version
    assert load([campaign("Draft", T0 + 2000)]).rows_loaded == 0
    assert load([campaign("Running", T0 + 3000)]).rows_loaded == 1
    assert load.versions() == ["Draft", "Running", "Draft", "Running"]


def test_flagged_records_are_kept_and_counted_and_the_watermark_waits(load):
    first = load([campaign("Draft", T0 + 5000), campaign("Running", T0 + 9000, sendSize="N/A")])
    assert (first.rows_loaded, first.rows_flagged) == (2, 1)
    assert first.cursor_to == api_extract.to_timestamp(T0 + 5000, "unix_ms"), "a flagged record never moves the watermark"
    with connect(load.warehouse) as conn:
        flagged = conn.execute("SELECT _flags FROM raw_iterable.campaigns WHERE cardinality(_flags) > 0").fetchall()
        ledger = conn.execute("SELECT rows_loaded, rows_skipped, rows_flagged, cursor_to FROM elt_meta.batches "
                              "WHERE batch_id = %s", (first.batch_id,)).fetchone()
        watermark = conn.execute("SELECT cursor_value, batch_id FROM elt_meta.watermarks "
                                 "WHERE source = 'iterable' AND table_name = 'campaigns'").fetchone()
    assert flagged == [(["not_a_number:sendSize"],)]
    assert ledger == (2, 0, 1, first.cursor_to)
    assert watermark == (first.cursor_to, first.batch_id)
    # the clean record sent again lands: it differs from the latest version raw holds (the flagged one)
    assert load([campaign("Running", T0 + 9000)]).rows_loaded == 1


def test_a_failed_batch_leaves_nothing_behind(load):
    load([campaign("Draft")])

    def broken():
        yield campaign("Running", T0 + 1000)
        raise RuntimeError("the API went away mid-page")

    with pytest.raises(RuntimeError):
        load(broken())
    assert load.versions() == ["Draft"]
    with connect(load.warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM elt_meta.batches").fetchone()[0] == 1
    assert load([campaign("Running", T0 + 1000)]).rows_loaded == 1, "the retry loads what the failed batch read"


def test_the_next_batch_survives_a_dropped_connection(load):
    """Batches of one process reuse its warehouse connection; one the server dropped in between is
    replaced before the batch starts, and the batch loads as usual."""
    load([campaign("Draft")])
    idle = [conn for (pid, url), conns in api_extract._IDLE.items() if url == load.warehouse.url for conn in conns]
    assert len(idle) == 1, "the batch gave its connection back"
    with connect(load.warehouse, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (idle[0].info.backend_pid,))
    assert load([campaign("Running", T0 + 1000)]).rows_loaded == 1
    assert load.versions() == ["Draft", "Running"]


def test_a_first_load_keeps_each_change_once_and_drops_repeated_pages(load):
    """A first load (raw empty) goes straight into raw: the same semantics, with no stored version."""
    page = [campaign("Draft", T0), campaign("Running", T0 + 1000)]
    batch = load(page + page + [campaign("Draft", T0 + 2000), campaign("Draft", T0 + 2000)])
    assert (batch.rows_seen, batch.rows_loaded, batch.rows_skipped) == (6, 3, 3), "a repeated page adds nothing"
    assert load.versions() == ["Draft", "Running", "Draft"], "A -> B -> A within the batch lands every change"
    with connect(load.warehouse) as conn:
        assert conn.execute("SELECT rows_loaded, rows_skipped, cursor_to FROM elt_meta.batches "
                            "WHERE batch_id = %s", (batch.batch_id,)).fetchone() == (3, 3, batch.cursor_to)
        assert conn.execute("SELECT count(DISTINCT _batch_id), count(DISTINCT _extracted_at) "
                            "FROM raw_iterable.campaigns").fetchone() == (1, 1)
    assert batch.cursor_to == api_extract.to_timestamp(T0 + 2000, "unix_ms")
    # the next batch compares with the latest version the first load stored
    assert load([campaign("Draft", T0 + 2000), campaign("Draft", T0 + 2000)]).rows_loaded == 0
    assert load([campaign("Running", T0 + 3000)]).rows_loaded == 1


def test_a_first_load_stores_what_a_later_load_of_the_same_records_would(load):
    """The same batches, once into an empty table (the first one takes the first-load path) and once
    into a table that already holds another campaign (every batch compares with raw): the same rows."""
    batches = [[campaign("Draft", T0), campaign("Running", T0 + 1000), campaign("Running", T0 + 1000),
                campaign("Draft", T0 + 2000), campaign("Paused", T0 + 500, sendSize="N/A")],
               [campaign("Draft", T0 + 2000), campaign("Running", T0 + 1000)]]

    def stored() -> list[tuple]:
        with connect(load.warehouse) as conn:
            return conn.execute("SELECT id, cursor_at, payload, _version, _flags, _deleted FROM raw_iterable.campaigns "
                                "WHERE id = '7' ORDER BY cursor_at, _version").fetchall()

    first = [(b.rows_loaded, b.rows_skipped, b.rows_flagged) for b in map(load, batches)]
    empty_first = stored()
    with connect(load.warehouse) as conn:
        conn.execute("TRUNCATE raw_iterable.campaigns")
        conn.execute("INSERT INTO raw_iterable.campaigns (id, payload, _version, _batch_id, _extracted_at) "
                     "VALUES ('8', '{}', 'x', gen_random_uuid(), now())")
        conn.commit()
    later = [(b.rows_loaded, b.rows_skipped, b.rows_flagged) for b in map(load, batches)]
    assert first == later == [(4, 1, 1), (2, 0, 0)], "the second batch goes back to Running, then to Draft"
    assert stored() == empty_first


def test_a_failed_entity_fails_the_source_by_name_and_the_others_commit(load, monkeypatch):
    """extract_source runs every entity as its own batch, side by side: one that fails leaves no
    trace, is named in the one error, and the batches of the others are committed."""
    def broken(client, since):
        yield campaign("Draft")
        raise EltError("GET /api/campaigns answered HTTP 400: bad request")

    for entity in MANIFEST.entities:
        monkeypatch.setattr(iterable_api, entity.fetch, lambda client, since: iter(()))
    monkeypatch.setattr(iterable_api, "campaigns", broken)
    with pytest.raises(EltError, match=r"raw_iterable: 1 of 9 entities failed .*campaigns: GET /api/campaigns"):
        extract_source(MANIFEST, lambda: client_for("iterable", "http://127.0.0.1:9", "0" * 32), load.warehouse)
    with connect(load.warehouse) as conn:
        ledger = {r[0] for r in conn.execute("SELECT table_name FROM elt_meta.batches WHERE source = 'iterable'")}
        assert conn.execute("SELECT count(*) FROM raw_iterable.campaigns").fetchone()[0] == 0
    assert ledger == {e.name for e in MANIFEST.entities} - {"campaigns"}


def test_the_first_batches_of_a_new_source_side_by_side_all_land(fresh_db, monkeypatch):
    """Every entity's first batch makes its raw table, and the first also the source's schema, at
    once, on connections earlier batches used: each must wait for the others' DDL and then see it,
    not fail on a schema another batch has just created."""
    from include.sources.stripe import api as stripe_api

    stripe = load_manifest("stripe")
    for entity in MANIFEST.entities:
        monkeypatch.setattr(iterable_api, entity.fetch, lambda client, since: iter([campaign("Draft")]))
    for entity in stripe.entities:
        monkeypatch.setattr(stripe_api, entity.fetch, lambda client, since: iter([{"id": "cus_1", "created": 1_764_500_000}]))
    for _ in range(3):
        warehouse = fresh_db("wh")
        for manifest in (MANIFEST, stripe):
            batches = extract_source(manifest, lambda: client_for(manifest.source, "http://127.0.0.1:9", "0" * 32),
                                     warehouse, workers=len(manifest.entities))
            assert sorted(b.rows_loaded for b in batches) == [1] * len(manifest.entities), manifest.source
        api_extract.release_connections()
