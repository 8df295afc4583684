"""The `elt` command: run the platform locally on the embedded warehouse or on ELT_WAREHOUSE_URL.

Every user-fixable problem surfaces as one `elt: error: ...` line (exit 2), never a traceback."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from include.errors import EltError
from include.paths import DATA_DOCS_DIR, LOCAL_DIR, REPO_ROOT, SQLMESH_DIR

_T0 = time.monotonic()


def say(msg: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f}s] {msg}", flush=True)


def _warehouse():
    from include.warehouse.settings import resolve

    return resolve()


def cmd_up(args) -> None:
    from include import services

    services.up(_warehouse(), say)


def cmd_down(args) -> None:
    from include import services

    services.down(_warehouse(), say)


def cmd_status(args) -> None:
    from include import report, services
    from include.warehouse import embedded

    wh = _warehouse()
    running = embedded.is_running() if wh.embedded else None
    print(f"warehouse:    {wh.warehouse.redacted} "
          f"({'embedded, ' + ('running' if running else 'stopped') if wh.embedded else 'external'})")
    print(f"app database: {wh.app.redacted}")
    print(f"mock sources: {services.mock_url()} ({'running' if services.mock_running() else 'stopped'})")
    if wh.embedded and not running:
        return
    now = datetime.now(timezone.utc)
    rows = report.freshness(wh)
    if not rows:
        print("raw tables:   nothing loaded yet (run `elt demo`)")
    print("raw tables:   (last load: wall-clock age; newest record: the source's own cursor, simulated time)")
    for table, loaded, cursor in rows:
        newest = f"{cursor:%Y-%m-%d %H:%M}Z" if cursor else "-"
        print(f"  {table:<28} last load {(now - loaded).total_seconds() / 60:5.1f} min ago   newest record {newest}")


def cmd_simulate(args) -> None:
    from include.simulation import parse_duration, simulate

    advance = parse_duration(args.advance) if args.advance else None
    wh = _warehouse()
    _ensure_up(wh)
    summary = simulate(wh.app.url, seed=args.seed, scale=args.scale, days=args.days, advance=advance, progress=say)
    print(summary)


def cmd_extract(args) -> None:
    from include.sources import registry

    wh = _warehouse()
    tables = [args.table] if args.table else registry.raw_tables(args.source)
    if registry.is_api(args.source):
        from include import services
        from include.sources.api_extract import extract_source, load_manifest
        from include.sources.credentials import api_key, client_for

        key, url = api_key(args.source), services.mock_url()
        for batch in extract_source(load_manifest(args.source), lambda: client_for(args.source, url, key), wh.warehouse,
                                    tables):
            say(str(batch))
    else:
        from include.sources.app.extract import extract_table

        for table in tables:
            say(str(extract_table(wh.app, wh.warehouse, table)))


def cmd_demo(args) -> None:
    from include import airflow_runtime, report
    from include.quality.suites import LAYERS as quality_layers
    from include.simulation import simulate, simulated_clock
    from include.sources import registry

    wh = _warehouse()
    _ensure_up(wh)
    if simulated_clock(wh.app.url) is None:
        say(f"simulating {args.days} days of business history at scale {args.scale!r}")
        summary = simulate(wh.app.url, seed=args.seed, scale=args.scale, days=args.days, progress=say)
    else:
        say("the business is already simulated: advancing its clock 15 minutes")
        summary = simulate(wh.app.url, seed=args.seed, scale=args.scale, advance=timedelta(minutes=15), progress=say)
    say(f"simulated clock now {summary.clock_after:%Y-%m-%d %H:%M}Z")
    say("preparing Airflow metadata (.local/airflow)")
    airflow_runtime.migrate(wh)
    # The chain as the scheduler runs it: every extract, the transform on their Assets, then on the
    # transform's Assets the governance grants and the GX checkpoints (the demo's own simulate step
    # stands in for the simulate DAG).
    for dag_id in [f"el__{source}" for source in registry.available()] + ["transform", "governance", "quality"]:
        say(f"running DAG {dag_id} with the Airflow runtime (airflow dags test)")
        result = airflow_runtime.airflow(wh, "dags", "test", dag_id, capture=True, check=False)
        if result.returncode != 0:
            log = airflow_runtime.AIRFLOW_HOME / "logs" / f"demo-{dag_id}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(result.stdout + result.stderr)
            raise EltError(f"DAG {dag_id} failed; its full output is in {log}")
        say(f"DAG {dag_id} succeeded")
    rows = report.table_counts(wh)
    print(report.format_counts(rows))
    if not all(r.matches for r in rows):
        raise EltError("staging row counts differ from the app database for the tables marked NO above")
    print(report.format_layers(report.layer_counts(wh)))
    checks = report.quality_summary(wh)
    print(report.format_quality(checks))
    if {layer for layer, *_ in checks} != set(quality_layers) or any(failed for *_, failed in checks):
        raise EltError(f"the quality DAG succeeded, yet elt_meta.quality_results lacks a green run of every "
                       f"layer ({', '.join(quality_layers)}): see the table above")
    say(f"every checkpoint green: {sum(c[1] for c in checks)} suites, {sum(c[2] for c in checks)} rules")
    say(f"data docs: {DATA_DOCS_DIR / 'index.html'}")
    say(f"done: raw data in raw_<source>.*, models in staging, intermediate, entity, crm, marts and metrics "
        f"on {wh.warehouse.redacted}")


def cmd_airflow(args) -> None:
    from include import airflow_runtime

    wh = _warehouse()
    _ensure_up(wh)
    airflow_runtime.migrate(wh)
    env, password = airflow_runtime.standalone_env(wh, args.port)
    say(f"starting Airflow on http://localhost:{args.port}  login: admin  password: {password}  (Ctrl-C stops it)")
    os.execvpe(os.path.join(os.path.dirname(sys.executable), "airflow"), ["airflow", "standalone"], env)


def cmd_sqlmesh(args) -> None:
    from include.transform.runner import sqlmesh_env

    wh = _warehouse()
    _ensure_up(wh)
    env = {**os.environ, **sqlmesh_env(wh.warehouse), "MAX_FORK_WORKERS": "1"}
    sqlmesh = os.path.join(os.path.dirname(sys.executable), "sqlmesh")
    logs = LOCAL_DIR / "logs" / "sqlmesh"
    os.execvpe(sqlmesh, ["sqlmesh", "--log-file-dir", str(logs), "-p", str(SQLMESH_DIR), *args.sqlmesh_args], env)


def cmd_mock_sources(args) -> None:
    from include.mock_api.server import serve

    serve(args.host, args.port)


def cmd_test(args) -> None:
    os.chdir(REPO_ROOT)
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", *args.pytest_args]))


def cmd_bench(args) -> None:
    from include.benchmark import run_benchmark

    run_benchmark(_warehouse(), scales=args.scale, days=args.days, parts=args.part, say=say)


def _ensure_up(wh) -> None:
    from include import services

    services.up(wh, say)


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days between 1 and 3650")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    from include.simulation import SCALES

    parser = argparse.ArgumentParser(prog="elt", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("up", help="start the warehouse and the mock sources").set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop them").set_defaults(func=cmd_down)
    sub.add_parser("status", help="what is running and how fresh each raw table is").set_defaults(func=cmd_status)

    def business(p):
        p.add_argument("--scale", choices=sorted(SCALES), default="small", help="business size (default: small)")
        p.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")

    p = sub.add_parser("simulate", help="build history (--days N) or move the clock (--advance 15m)")
    business(p)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--days", type=_days, help="days of history to build (or to advance when built)")
    when.add_argument("--advance", metavar="DURATION", help="move the clock forward, e.g. 15m, 2h, 1d")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("demo", help="the main job: up, simulate, run every DAG, print what was built")
    business(p)
    p.add_argument("--days", type=_days, default=3, help="days of history on first build (default: 3)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("extract", help="run one source's extract directly (what its el DAG's tasks do)")
    p.add_argument("--source", default="app", help="source slug (default: app)")
    p.add_argument("--table", help="one raw table (default: all of the source's)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("airflow", help="start the Airflow UI (standalone) on this repo")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=cmd_airflow)

    p = sub.add_parser("sqlmesh", help="run sqlmesh on the project and warehouse, e.g. `elt sqlmesh plan dev`")
    p.add_argument("sqlmesh_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_sqlmesh)

    p = sub.add_parser("mock-sources", help="the mock source APIs")
    p.add_argument("action", choices=["serve"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_mock_sources)

    p = sub.add_parser("test", help="run the test suite (arguments go to pytest)")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("bench", help="benchmarks: loads against bare copies, the transform's 15-minute cycle")
    p.add_argument("--scale", action="append", choices=sorted(SCALES),
                   help="repeat for several (default: small and seed)")
    p.add_argument("--part", action="append", choices=["load", "api", "transform"],
                   help="repeat for several (default: all)")
    p.add_argument("--days", type=_days, default=1)
    p.set_defaults(func=cmd_bench)
    return parser


PASSTHROUGH = {"test": "pytest_args", "sqlmesh": "sqlmesh_args"}


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "bench":
        args.scale = args.scale or ["small", "seed"]
        args.part = args.part or ["load", "api", "transform"]
    if args.command in PASSTHROUGH:  # options such as `-k` or `--auto-apply` belong to pytest / sqlmesh
        setattr(args, PASSTHROUGH[args.command], [*extra, *getattr(args, PASSTHROUGH[args.command])])
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        args.func(args)
    except EltError as exc:
        print(f"elt: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("elt: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
