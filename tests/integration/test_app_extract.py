"""The app extractor against a real Postgres: incremental batches, late commits, new columns,
hard deletes, re-runs and a load killed mid-batch. Source tables here are hand-made so each rule
is tested on rows whose fate is known exactly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from include.paths import REPO_ROOT
from include.sources.app.extract import extract_table
from include.warehouse.connect import connect


@pytest.fixture
def dbs(fresh_db):
    app, wh = fresh_db("app"), fresh_db("wh")
    with connect(app, autocommit=True) as conn:
        conn.execute("""CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
                        INSERT INTO accounts SELECT gen_random_uuid(), 'acct ' || g, now() - g * interval '1 minute'
                        FROM generate_series(1, 500) g""")
    return app, wh


def q(url, sql):
    with connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_first_load_then_rerun_adds_nothing(dbs):
    app, wh = dbs
    first = extract_table(app, wh, "accounts")
    again = extract_table(app, wh, "accounts")
    assert (first.rows_loaded, again.rows_loaded) == (500, 0)
    assert again.rows_skipped > 0, "the overlap window re-read recent rows and recognised them"
    assert q(wh, "SELECT count(*), count(DISTINCT id) FROM raw_app.accounts") == [(500, 500)]
    (wm,) = q(wh, "SELECT cursor_value FROM elt_meta.watermarks WHERE table_name = 'accounts'")[0]
    assert wm == q(app, "SELECT max(updated_at) FROM accounts")[0][0]


def test_updates_late_commits_new_columns_and_hard_deletes(dbs):
    app, wh = dbs
    extract_table(app, wh, "accounts")
    with connect(app, autocommit=True) as conn:
        conn.execute("""ALTER TABLE accounts ADD COLUMN tier text;
                        UPDATE accounts SET tier = 'pro', updated_at = now() WHERE name IN ('acct 1', 'acct 2');
                        -- committed late: its cursor is behind the watermark, inside the overlap window
                        INSERT INTO accounts VALUES (gen_random_uuid(), 'late', now() - interval '5 minutes', 'starter');
                        DELETE FROM accounts WHERE name = 'acct 3'""")
    batch = extract_table(app, wh, "accounts")
    assert batch.columns_added == ["tier"]
    assert batch.rows_loaded == 3 and batch.rows_deleted == 1
    assert q(wh, "SELECT count(*) FROM raw_app.accounts WHERE tier = 'pro'") == [(2,)]
    assert q(wh, "SELECT name FROM raw_app.accounts WHERE tier = 'starter'") == [("late",)]
    # raw is append-only: both versions of an updated row are kept
    assert q(wh, "SELECT count(*) FROM raw_app.accounts WHERE name = 'acct 1'") == [(2,)]
    (deleted_id,) = q(wh, "SELECT id FROM raw_app.accounts WHERE _deleted")[0]
    assert q(wh, f"SELECT name FROM raw_app.accounts WHERE id = '{deleted_id}' AND NOT _deleted") == [("acct 3",)]
    again = extract_table(app, wh, "accounts")
    assert (again.rows_loaded, again.rows_deleted) == (0, 0), "a re-run duplicates neither rows nor tombstones"
    ledger = q(wh, "SELECT rows_loaded, rows_deleted FROM elt_meta.batches ORDER BY finished_at")
    assert ledger == [(500, 0), (3, 1), (0, 0)]


def test_missing_source_table_is_a_clear_error(dbs):
    from include.errors import EltError

    app, wh = dbs
    with pytest.raises(EltError, match=r"source table public.devices does not exist"):
        extract_table(app, wh, "devices")


def test_killed_mid_batch_then_retried_loses_and_duplicates_nothing(fresh_db):
    app, wh = fresh_db("app"), fresh_db("wh")
    rows = 1_500_000
    with connect(app, autocommit=True) as conn:
        conn.execute(f"""CREATE TABLE tap_events (id uuid PRIMARY KEY, volume_ml int, note text, updated_at timestamptz NOT NULL);
                         INSERT INTO tap_events SELECT gen_random_uuid(), g % 900 + 1, repeat('x', 40),
                                now() - (g % 1000) * interval '1 second' FROM generate_series(1, {rows}) g""")
    env = {**os.environ, "ELT_WAREHOUSE_URL": wh.url, "ELT_APP_DB_URL": app.url}
    proc = subprocess.Popen([sys.executable, "-m", "include.cli", "extract", "--table", "tap_events"],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        copied = 0
        with connect(wh, autocommit=True) as conn:
            for _ in range(600):  # wait until the COPY into raw is under way
                row = conn.execute("SELECT tuples_processed FROM pg_stat_progress_copy "
                                   "WHERE datname = current_database() AND command = 'COPY FROM'").fetchone()
                if row and row[0] > 0:
                    copied = row[0]
                    break
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert 0 < copied < rows, "killed mid-batch"
    with connect(wh, autocommit=True) as conn:
        for _ in range(100):  # the server notices the dead client and rolls back
            if not conn.execute("SELECT count(*) FROM pg_stat_progress_copy WHERE datname = current_database()").fetchone()[0]:
                break
            time.sleep(0.1)
        assert conn.execute("SELECT to_regclass('raw_app.tap_events')").fetchone()[0] is None, "nothing committed"
    batch = extract_table(app, wh, "tap_events")
    assert batch.rows_loaded == rows
    assert q(wh, "SELECT count(*), count(DISTINCT id) FROM raw_app.tap_events") == [(rows, rows)]
    assert q(wh, "SELECT count(*) FROM elt_meta.batches") == [(1,)]
