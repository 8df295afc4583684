"""The business simulator against a real Postgres: schema and constraints, determinism, the clock,
hard deletes, late data, and the errors a user sees. Small scale; the whole file runs in seconds."""
from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from include.errors import EltError
from include.simulation import SCALES, clock, parse_duration, simulate
from include.simulation.schema import APP_TABLES, ENTITY_TABLES, EVENT_TABLES, FOREIGN_KEYS

# A fixed wall clock: a Friday evening in Europe, afternoon in the US, so every source is busy.
ANCHOR = dt.datetime(2025, 3, 14, 18, 7, 31, 123456, tzinfo=dt.timezone.utc)
HISTORY_END = ANCHOR.replace(second=0, microsecond=0)


@pytest.fixture(autouse=True)
def fixed_wall_clock(monkeypatch):
    monkeypatch.setattr(clock, "wall_clock", lambda: ANCHOR)


def q(dsn: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        return conn.execute(sql, params).fetchall()


def execute(dsn: str, sql: str, params=None) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(sql, params)


def one(dsn: str, sql: str, params=None):
    return q(dsn, sql, params)[0][0]


def checksums(dsn: str) -> dict[str, str]:
    tables = {t: "id" for t in APP_TABLES} | {"sim.account_truth": "account_id", "sim.account_events": "id",
                                              "sim.state": "singleton"}
    return {t: one(dsn, f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.{key}), '')) FROM {t} x")
            for t, key in tables.items()}


def reset(dsn: str) -> None:
    """Back to an empty database, as fresh as a new one."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA sim CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def ids(dsn: str, table: str) -> set[str]:
    return {i for (i,) in q(dsn, f"SELECT id::text FROM {table}")}


def test_build_creates_the_oltp_schema_with_exact_scale_counts(app_dsn):
    messages = []
    summary = simulate(app_dsn, days=2, progress=messages.append)

    assert summary.clock_after == HISTORY_END
    assert summary.clock_before == HISTORY_END - dt.timedelta(days=2)
    assert summary.rows["accounts"] == SCALES["small"].accounts == one(app_dsn, "SELECT count(*) FROM accounts")
    assert summary.rows["locations"] == SCALES["small"].locations == one(app_dsn, "SELECT count(*) FROM locations")
    assert all(summary.rows[t] > 0 for t in APP_TABLES), summary.rows
    assert 100 <= summary.rows["devices"] <= 250 and 150 <= summary.rows["users"] <= 300
    assert sum("simulated up to" in m for m in messages) == 2, messages
    assert "tap_events" in str(summary) and "2025-03-14 18:07Z" in str(summary)
    assert one(app_dsn, "SELECT clock FROM sim.state") == HISTORY_END

    constraints = q(app_dsn, """
        SELECT c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'""")
    primary = {t for t, kind, d in constraints if kind == "p" and d == "PRIMARY KEY (id)"}
    assert primary == set(APP_TABLES)
    foreign = {(t, d) for t, kind, d in constraints if kind == "f"}
    assert foreign == {(t, f"FOREIGN KEY ({col}) REFERENCES {parent}(id)") for t, col, parent in FOREIGN_KEYS}
    checks = [(t, d) for t, kind, d in constraints if kind == "c"]
    assert any(t == "tap_events" and "volume_ml > 0" in d for t, d in checks)
    assert any(t == "tap_events" and "temperature_c" in d for t, d in checks)
    assert any(t == "accounts" and "past_due" in d for t, d in checks)
    assert {t for t, _ in checks} == set(APP_TABLES)      # every table checks at least updated_at >= created_at

    columns = q(app_dsn, """SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                            WHERE table_schema = 'public'""")
    by_table = {}
    for table, column, kind, nullable in columns:
        by_table.setdefault(table, {})[column] = (kind, nullable)
    for table in APP_TABLES:
        cols = by_table[table]
        assert cols["id"][0] == "uuid"
        assert cols["created_at"] == ("timestamp with time zone", "NO")
        assert cols["updated_at"] == ("timestamp with time zone", "NO")
        assert ("deleted_at" in cols) == (table in ENTITY_TABLES)
    indexed = {(t, d) for t, d in q(app_dsn, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    for table in APP_TABLES:
        assert any(t == table and d.endswith("(updated_at)") for t, d in indexed), table

    device, location = q(app_dsn, "SELECT device_id, location_id FROM tap_events LIMIT 1")[0]
    with pytest.raises(psycopg.errors.CheckViolation):
        execute(app_dsn, "INSERT INTO tap_events VALUES (gen_random_uuid(), %s, %s, now(), 'IPA', 0, 10, 3, now(), "
                         "now())", (device, location))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        execute(app_dsn, "INSERT INTO tap_events VALUES (gen_random_uuid(), gen_random_uuid(), %s, now(), 'IPA', "
                         "500, 10, 3, now(), now())", (location,))


def test_same_seed_and_commands_give_identical_bytes(app_dsn):
    def run(seed: int) -> dict[str, str]:
        simulate(app_dsn, seed=seed, days=2)
        simulate(app_dsn, seed=seed, advance=dt.timedelta(minutes=15))
        simulate(app_dsn, seed=seed, advance=parse_duration("1h10m"))
        sums = checksums(app_dsn)
        reset(app_dsn)
        return sums

    first, second, other = run(42), run(42), run(7)
    assert first == second
    assert {t for t in first if first[t] == other[t]} == set(), "a different seed must change every table"


def test_advance_15_minutes_adds_and_updates_rows(app_dsn):
    simulate(app_dsn, days=1)
    before = {t: one(app_dsn, f"SELECT count(*) FROM {t}") for t in APP_TABLES}
    summary = simulate(app_dsn, advance=parse_duration("15m"))

    start, end = summary.clock_before, summary.clock_after
    assert (start, end) == (HISTORY_END, HISTORY_END + dt.timedelta(minutes=15)) and summary.ticks == 1
    assert one(app_dsn, "SELECT clock FROM sim.state") == end
    assert one(app_dsn, "SELECT tick_count FROM sim.state") == 96 + 1
    for table in ("tap_events", "device_heartbeats", "sessions", "page_views"):
        assert summary.rows[table] > before[table], table
        assert summary.inserted[table] == summary.rows[table] - before[table]
    touched = one(app_dsn, "SELECT count(*) FROM accounts WHERE updated_at >= %s - interval '2 minutes' "
                           "AND created_at < %s", (start, start))
    assert touched >= 1 and summary.updated["accounts"] >= 1
    for table in APP_TABLES:                 # nothing is written after the clock, nothing new commits too early
        assert one(app_dsn, f"SELECT count(*) FROM {table} WHERE updated_at > %s", (end,)) == 0
        if table in EVENT_TABLES:
            assert one(app_dsn, f"SELECT count(*) FROM {table} WHERE updated_at <> created_at") == 0


def test_a_day_of_ticks_hard_and_soft_deletes(app_dsn):
    simulate(app_dsn, days=1)
    seen = {t: ids(app_dsn, t) for t in ("users", "devices")}
    deleted_before = one(app_dsn, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL")
    hard = 0
    for _ in range(24):                      # an hour at a time, the way the extractor sees it
        summary = simulate(app_dsn, advance=dt.timedelta(hours=1))
        hard += summary.deleted.get("users", 0) + summary.deleted.get("devices", 0)
        for table in seen:
            seen[table] |= ids(app_dsn, table)
    gone = {t: seen[t] - ids(app_dsn, t) for t in seen}
    assert len(gone["users"]) + len(gone["devices"]) == hard >= 2, gone
    assert one(app_dsn, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL") > deleted_before
    kinds = {k for (k,) in q(app_dsn, "SELECT DISTINCT kind FROM sim.account_events WHERE occurred_at >= %s",
                             (HISTORY_END,))}
    assert "signup" in kinds and kinds & {"upgrade", "downgrade", "seats_changed"} and len(kinds) >= 5, kinds
    assert one(app_dsn, "SELECT count(*) FROM accounts") > SCALES["small"].accounts      # sign-ups kept coming


def test_late_arriving_events_and_late_commits(app_dsn):
    simulate(app_dsn, days=2)
    for table, device_time in (("tap_events", "poured_at"), ("sessions", "ended_at")):
        late = one(app_dsn, f"SELECT count(*) FROM {table} WHERE updated_at - {device_time} > interval '1 hour'")
        assert late >= 1, table

    late_commits = 0
    window = "updated_at >= %(start)s - interval '2 minutes' AND updated_at < %(start)s"
    for _ in range(24):                      # a late commit lands before the start of the tick that wrote it
        start = {"start": one(app_dsn, "SELECT clock FROM sim.state")}
        before = sum(one(app_dsn, f"SELECT count(*) FROM {t} WHERE {window}", start) for t in EVENT_TABLES)
        simulate(app_dsn, advance=dt.timedelta(minutes=15))
        after = sum(one(app_dsn, f"SELECT count(*) FROM {t} WHERE {window}", start) for t in EVENT_TABLES)
        late_commits += after - before
    assert late_commits >= 3


@pytest.mark.parametrize("kwargs, message", [
    ({"scale": "huge", "days": 1}, "unknown scale 'huge': use one of seed, small"),
    ({"days": 0}, "bad days 0: use a whole number of days between 1 and 3650"),
    ({"days": 3651}, "between 1 and 3650"),
    ({"days": -1}, "between 1 and 3650"),
    ({"advance": dt.timedelta(0)}, "bad advance 0:00:00"),
    ({"advance": dt.timedelta(minutes=-5)}, "use a positive duration"),
    ({"days": 1, "advance": dt.timedelta(minutes=15)}, "not both"),
    ({"seed": -3, "days": 1}, "bad seed -3"),
])
def test_bad_arguments_raise_one_line_errors(kwargs, message):
    with pytest.raises(EltError) as error:
        simulate("postgresql://postgres@127.0.0.1:1/never_connected", **kwargs)
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("text, expected", [
    ("15m", dt.timedelta(minutes=15)), ("2h", dt.timedelta(hours=2)), ("1d", dt.timedelta(days=1)),
    ("90s", dt.timedelta(seconds=90)), (" 1h30m ", dt.timedelta(minutes=90)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "15", "15x", "m15", "-5m", "1.5h"])
def test_parse_duration_rejects_bad_text(text):
    with pytest.raises(EltError, match=r"bad duration .*: use a number and a unit \(s, m, h or d\), e\.g\. 90s, 15m"):
        parse_duration(text)


def test_parse_duration_rejects_zero():
    with pytest.raises(EltError, match="bad duration '0m': it must be longer than zero"):
        parse_duration("0m")


def test_repeat_calls_and_state_errors_name_what_to_do(app_dsn):
    with pytest.raises(EltError, match="nothing simulated yet: build the history first with --days N"):
        simulate(app_dsn, advance=dt.timedelta(minutes=15))
    simulate(app_dsn)                         # no arguments on an empty database: one day of history
    assert one(app_dsn, "SELECT clock - history_start FROM sim.state") == dt.timedelta(days=1)
    with pytest.raises(EltError, match="already simulated up to 2025-03-14 18:07Z; pass --days N or --advance"):
        simulate(app_dsn)
    with pytest.raises(EltError, match="simulated with seed 42 at scale 'small', not seed 7 at scale 'small'; .*"
                                       "drop and recreate"):
        simulate(app_dsn, seed=7, days=1)
    with pytest.raises(EltError, match="not seed 42 at scale 'seed'"):
        simulate(app_dsn, scale="seed", advance=dt.timedelta(minutes=15))
    with pytest.raises(EltError, match=r"cannot connect to postgresql://postgres:\*\*\*@127.0.0.1:1/nope") as error:
        simulate("postgresql://postgres:secret@127.0.0.1:1/nope", days=1)
    assert "secret" not in str(error.value)
    again = simulate(app_dsn, days=1)        # days on a built database advances the clock
    assert not again.built and again.clock_after == HISTORY_END + dt.timedelta(days=1) and again.ticks == 96


def test_an_empty_database_with_foreign_tables_is_refused(app_dsn):
    execute(app_dsn, "CREATE TABLE accounts (id int)")
    with pytest.raises(EltError, match=r"already has tables \(accounts\) but no simulator state"):
        simulate(app_dsn, days=1)
