"""simulate(): build the history on an empty app database, or move its clock forward.

One call is one transaction: the data and the clock in `sim.state` commit together, and an
advisory lock keeps two simulators off the same database.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import psycopg

from include.errors import EltError
from include.simulation import app_usage, arrivals, clock, genesis, lifecycle, schema, telemetry
from include.simulation import behaviour as b
from include.simulation import sources as external
from include.simulation import world as world_mod
from include.simulation.copytext import to_datetime
from include.simulation.scale import Scale, get_scale
from include.simulation.summary import SimulationSummary
from include.simulation.writer import Writer
from include.warehouse.connect import connect

LOCK_KEY = 0x51_4D_41_50                 # pg_advisory_xact_lock key of the simulator
FLUSH_ROWS = 100_000                     # events buffered before a batch goes to the writer
TICKS_PER_DAY = b.DAY // clock.TICK


def simulate(app_dsn: str, *, seed: int = 42, scale: str = "small", days: int | None = None,
             advance: dt.timedelta | None = None,
             progress: Callable[[str], None] | None = None) -> SimulationSummary:
    """Build `days` of history on an empty database (default 1), or advance the clock of a built one
    by `advance` (or by `days`)."""
    size = get_scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 63:
        raise EltError(f"bad seed {seed!r}: use a whole number between 0 and {2 ** 63 - 1}")
    if days is not None and advance is not None:
        raise EltError("pass either days (--days) or advance (--advance), not both")
    if days is not None:
        clock.check_days(days)
    if advance is not None:
        if not isinstance(advance, dt.timedelta):
            raise EltError(f"bad advance {advance!r}: use a duration such as 15m, 2h or 1d")
        clock.check_advance(advance)
    say = progress or (lambda _message: None)

    with _connect(app_dsn) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        schema.create_sim_schema(conn)
        state = clock.read_state(conn)
        if state is None:
            if present := schema.app_tables_present(conn):
                raise EltError(f"the app database already has tables ({', '.join(present)}) but no simulator "
                               "state; give the simulator an empty database")
            if advance is not None:
                raise EltError("nothing simulated yet: build the history first with --days N")
            summary = _build(conn, size, seed, days or 1, say)
        else:
            if (state.seed, state.scale) != (seed, size.name):
                raise EltError(f"the app database was simulated with seed {state.seed} at scale {state.scale!r}, "
                               f"not seed {seed} at scale {size.name!r}; keep those or drop and recreate the "
                               "database to start over")
            if days is None and advance is None:
                raise EltError(f"the app database is already simulated up to "
                               f"{to_datetime(state.clock):%Y-%m-%d %H:%M}Z; pass --days N or --advance 15m "
                               "to move the clock forward")
            span = days * b.DAY if days is not None else advance // dt.timedelta(microseconds=1)
            summary = _advance(conn, size, state, span, say)
        conn.commit()
    return summary


def _connect(dsn: str) -> psycopg.Connection:
    conn = connect(dsn)
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def simulated_clock(app_dsn: str) -> dt.datetime | None:
    """The simulated time of a built app database; None while nothing has been simulated."""
    with _connect(app_dsn) as conn:
        if conn.execute("SELECT to_regclass('sim.state')").fetchone()[0] is None:
            return None
        state = clock.read_state(conn)
        return to_datetime(state.clock) if state else None


def _build(conn: psycopg.Connection, size: Scale, seed: int, days: int, say) -> SimulationSummary:
    end = clock.history_end()
    start = end - days * b.DAY
    growth = arrivals.history_growth(size, days)
    ticks = list(clock.ticks(seed, 0, start, end))
    planned = [arrivals.plan(tick, size, growth) for tick in ticks]
    initial_accounts = size.accounts - sum(len(p.signups) for p in planned)
    initial_locations = size.locations - sum(p.new_locations for p in planned)
    if initial_accounts < 1 or initial_locations < initial_accounts:
        raise EltError(f"cannot build {days} days at scale {size.name!r}: the history would need more sign-ups "
                       "than the scale has accounts; use fewer days")
    say(f"building {days} day(s) of history at scale {size.name!r} (seed {seed}): "
        f"{initial_accounts:,} accounts at the start, {size.accounts:,} at the end")
    schema.create_app_tables(conn)
    world = world_mod.World(seed, size.lifecycle_speed)
    genesis.populate(world, size, start, initial_accounts, initial_locations)
    writer = _run(conn, world, size, ticks, planned, say)
    say("adding foreign keys and indexes")
    schema.add_relations(conn)
    for table in schema.APP_TABLES:  # not a bare ANALYZE: that takes locks server-wide
        conn.execute(f"ANALYZE {table}")
    external.generate_all(conn, external.Window(seed, size.name, to_datetime(start), to_datetime(end), True), say)
    # The mock APIs page sim.api_objects by index: without statistics a seed-scale page scans instead.
    conn.execute("ANALYZE sim.api_objects")
    clock.write_state(conn, clock.State(seed, size.name, start, end, len(ticks)))
    return _summary(conn, seed, size, True, start, end, len(ticks), writer)


def _advance(conn: psycopg.Connection, size: Scale, state: clock.State, span: int, say) -> SimulationSummary:
    end = state.clock + span
    say(f"advancing the clock {to_datetime(state.clock):%Y-%m-%d %H:%M}Z -> {to_datetime(end):%Y-%m-%d %H:%M}Z")
    world = world_mod.load(conn, state.seed, size.lifecycle_speed)
    ticks = list(clock.ticks(state.seed, state.tick_count, state.clock, end))
    planned = [arrivals.plan(tick, size, 1.0) for tick in ticks]
    writer = _run(conn, world, size, ticks, planned, say)
    external.generate_all(conn, external.Window(state.seed, size.name, to_datetime(state.clock), to_datetime(end), False),
                          say)
    clock.write_state(conn, clock.State(state.seed, state.scale, state.history_start, end,
                                        state.tick_count + len(ticks)))
    return _summary(conn, state.seed, size, False, state.clock, end, len(ticks), writer)


def _run(conn: psycopg.Connection, world: world_mod.World, size: Scale, ticks: list[clock.Tick],
         planned: list[arrivals.Arrivals], say) -> Writer:
    """Every tick changes the entities, then generates what taps and staff did; batches are written
    in the background while the next ones are generated."""
    events: dict[str, list[str]] = {table: [] for table in schema.EVENT_TABLES}
    writer = Writer(conn)
    written = 0
    try:
        for n, (tick, plan) in enumerate(zip(ticks, planned, strict=True), start=1):
            lifecycle.run(world, tick, size, plan, events)
            telemetry.run(world, tick, events)
            app_usage.run(world, tick, events)
            buffered = sum(len(lines) for lines in events.values())
            day_done = n % TICKS_PER_DAY == 0
            if buffered >= FLUSH_ROWS or day_done or n == len(ticks):
                written += buffered
                writer.flush(world, events)
            if day_done or n == len(ticks):
                say(f"simulated up to {to_datetime(tick.end):%Y-%m-%d %H:%M}Z ({n}/{len(ticks)} ticks, "
                    f"{written:,} events)")
    except BaseException:
        writer.close(raise_error=False)         # the generation error is the one to report
        raise
    writer.close()
    return writer


def _summary(conn, seed: int, size: Scale, built: bool, start: int, end: int, ticks: int,
             writer: Writer) -> SimulationSummary:
    rows = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in schema.APP_TABLES}
    return SimulationSummary(seed, size.name, built, to_datetime(start), to_datetime(end), ticks, rows,
                             dict(writer.inserted), dict(writer.updated), dict(writer.deleted))
