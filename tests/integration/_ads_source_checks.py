"""Checks the three ad-platform source tests share (test_source_google_ads, _meta_ads, _linkedin_ads):
the same simulator module writes all three, so they are held to the same assertions."""
from __future__ import annotations

import datetime as dt
import json
import urllib.request

from include.simulation.sources.ads import ADS_HISTORY_DAYS
from include.sources.api_extract import ApiBatch, dig, extract_source, load_manifest
from include.sources.credentials import auth_spec, client_for
from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl

COMPOSED = ("_key", "_date")           # fields the fetch functions add to report rows
FAULTS = {"rate_limit": 0.2, "server_error": 0.1, "truncate": 0.1, "duplicate": 0.3, "timeout": 0}


def q(url, sql: str, args=()) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def set_faults(mock_url: str, faults: dict) -> None:
    req = urllib.request.Request(f"{mock_url}/_admin/faults", json.dumps(faults).encode(), method="POST")
    urllib.request.urlopen(req, timeout=5).read()


def extract_all(source: str, mock_url: str, warehouse: PgUrl) -> dict[str, ApiBatch]:
    manifest = load_manifest(source)
    key = auth_spec(source)["key_prefix"] + "test-key"
    return {b.table: b for b in extract_source(manifest, lambda: client_for(source, mock_url, key), warehouse)}


def simulator_objects(app_url: str, source: str, object_type: str) -> dict[str, dict]:
    return dict(q(app_url, "SELECT id, payload FROM sim.api_objects WHERE source = %s AND object_type = %s",
                  (source, object_type)))


def latest_unflagged(warehouse: PgUrl, source: str, table: str) -> dict[str, dict]:
    """What staging keeps: the newest unflagged version per id, without the fetch's composed fields."""
    rows = q(warehouse, f"""SELECT DISTINCT ON (id) id, payload FROM raw_{source}.{table}
                            WHERE cardinality(_flags) = 0 ORDER BY id, _extracted_at DESC, cursor_at DESC NULLS LAST""")
    return {key: {k: v for k, v in payload.items() if k not in COMPOSED} for key, payload in rows}


def assert_raw_matches_simulator(source: str, app_url: str, warehouse: PgUrl) -> None:
    manifest = load_manifest(source)
    written = {t for (t,) in q(app_url, "SELECT DISTINCT object_type FROM sim.api_objects WHERE source = %s", (source,))}
    assert written <= {e.name for e in manifest.entities}, "a raw table for every object type the simulator writes"
    for entity in manifest.entities:
        expected, raw = simulator_objects(app_url, source, entity.name), latest_unflagged(warehouse, source, entity.name)
        assert set(raw) == set(expected), f"{entity.name}: missing {set(expected) - set(raw)}, extra {set(raw) - set(expected)}"
        wrong = [k for k in expected if raw[k] != expected[k]]
        assert not wrong, f"{entity.name}: {len(wrong)} payloads differ, e.g. {wrong[0]}: {raw[wrong[0]]} != {expected[wrong[0]]}"
        assert q(warehouse, f"SELECT id, _version FROM raw_{source}.{entity.name} GROUP BY 1, 2 HAVING count(*) > 1") == []


def assert_signups_are_conversions(app_url: str, warehouse: PgUrl, utm_sources: tuple[str, ...],
                                   conversions_sql: str, landings_sql: str) -> None:
    """Per campaign and day, the app's paid sign-ups with that utm_campaign are at most the platform's
    conversions, and every landing names a sign-up of its utm_campaign. conversions_sql returns
    (campaign name, day, conversions) from raw; landings_sql (app account id, utm_campaign)."""
    (history_start,) = q(app_url, "SELECT history_start FROM sim.state")[0]
    signups = q(app_url, """SELECT utm_campaign, created_at::date, count(*) FROM accounts
                            WHERE signup_channel IN ('paid_search', 'paid_social') AND utm_source = ANY(%s)
                              AND created_at >= %s GROUP BY 1, 2""",
                (list(utm_sources), history_start - dt.timedelta(days=ADS_HISTORY_DAYS - 1)))
    conversions = {(name, day): float(n) for name, day, n in q(warehouse, conversions_sql)}
    assert signups, "no paid sign-ups on this platform in the ads history: give the test a seed that has some"
    short = [(name, day, n, conversions.get((name, day), 0)) for name, day, n in signups
             if conversions.get((name, day), 0) < n]
    assert not short, f"sign-ups without as many conversions (campaign, day, sign-ups, conversions): {short[:5]}"
    landed = q(warehouse, landings_sql)
    accounts = dict(q(app_url, "SELECT id::text, utm_campaign FROM accounts WHERE utm_source = ANY(%s)", (list(utm_sources),)))
    assert landed and all(accounts.get(account) == campaign for account, campaign in landed)


def assert_flags_explained(source: str, warehouse: PgUrl, batches: dict[str, ApiBatch]) -> None:
    """Spoiled records are kept, flagged for exactly what is wrong with them, and counted."""
    manifest = load_manifest(source)
    assert sum(b.rows_flagged for b in batches.values()) > 0
    for entity in manifest.entities:
        rows = q(warehouse, f"SELECT payload, _flags FROM raw_{source}.{entity.name} WHERE cardinality(_flags) > 0")
        assert len(rows) == batches[entity.name].rows_flagged, entity.name
        declared = {*entity.numeric, *entity.required, entity.primary_key, entity.cursor}
        for payload, flags in rows:
            for flag in flags:
                kind, path = flag.split(":", 1)
                assert path in declared, f"{entity.name}: unexpected flag {flag}"
                if kind == "not_a_number":
                    assert dig(payload, path) == "N/A"
                else:
                    assert kind in ("missing", "bad_cursor") and dig(payload, path) is None, (entity.name, flag, payload)


def assert_incremental(source: str, app_url: str, warehouse: PgUrl, mock_url: str, performance: str) -> None:
    """After a 15-minute advance the second run reads the trailing days and changed entities only,
    loads the restated rows as new versions, and raw still equals the simulator."""
    from include.simulation import simulate, simulated_clock

    total = sum(len(simulator_objects(app_url, source, e.name)) for e in load_manifest(source).entities)
    (seed,) = q(app_url, "SELECT seed FROM sim.state")[0]
    # A 15-minute step across midnight restates next to nothing at this scale: the day that ends
    # grows by minutes and the new day's rows are new ids. A run late in the day steps past it first.
    clock = simulated_clock(app_url)
    if clock.time() >= dt.time(23, 45):
        past_midnight = dt.datetime.combine(clock.date() + dt.timedelta(days=1), dt.time(0, 30), clock.tzinfo)
        simulate(app_url, seed=seed, advance=past_midnight - clock)
        extract_all(source, mock_url, warehouse)
    simulate(app_url, seed=seed, advance=dt.timedelta(minutes=15))
    second = extract_all(source, mock_url, warehouse)
    assert sum(b.rows_seen for b in second.values()) < total / 4, {k: b.rows_seen for k, b in second.items()}
    assert second[performance].rows_loaded > 0, "restated and new daily rows are new versions"
    assert q(warehouse, f"SELECT count(*) FROM (SELECT id FROM raw_{source}.{performance} GROUP BY id "
                        "HAVING count(*) > 1) restated")[0][0] > 0
    assert_raw_matches_simulator(source, app_url, warehouse)


def assert_needs_auth(mock_url: str, requests: list[tuple[str, str, dict]]) -> None:
    """Each (method, path, headers) is refused with 401."""
    for method, path, headers in requests:
        req = urllib.request.Request(mock_url + path, data=b"{}" if method == "POST" else None, headers=headers,
                                     method=method)
        try:
            urllib.request.urlopen(req, timeout=5)
            raise AssertionError(f"{method} {path} answered without credentials")
        except urllib.error.HTTPError as err:
            assert err.code == 401, (path, err.code)
