"""Writes the world's changes and the generated events to the app database with COPY.

A background thread owns the connection while a run generates, so Postgres ingests one batch
while Python builds the next (two cores, both busy). Everything stays in one transaction: the
caller commits once, with the clock.

Within a batch the order keeps every foreign key valid: new and changed entities, parents first
(COPY into a temp stage, then INSERT ... ON CONFLICT (id) DO UPDATE), then events, children after
parents, then hard deletes, whose rows never have children.
"""
from __future__ import annotations

import queue
import threading
from collections import Counter
from typing import Callable

import psycopg

from include.simulation.schema import COLUMNS, ENTITY_TABLES, EVENT_TABLES
from include.simulation.world import World

Job = Callable[[psycopg.Connection], None]


class Writer:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.inserted: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.deleted: Counter[str] = Counter()
        for table in ENTITY_TABLES:
            conn.execute(f"CREATE TEMP TABLE stage_{table} (LIKE {table}) ON COMMIT DROP")
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=2)    # bounds memory: two batches ahead
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="sim-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._error is None:
                try:
                    job(self.conn)
                except BaseException as error:   # re-raised in the generating thread
                    self._error = error

    def close(self, raise_error: bool = True) -> None:
        """Wait for every batch; raise the first write error."""
        self._jobs.put(None)
        self._thread.join()
        if raise_error and self._error is not None:
            raise self._error

    def flush(self, world: World, events: dict[str, list[str]]) -> None:
        if self._error is not None:
            raise self._error
        entities = world.take_changes()
        truth, timeline = world.take_lines()
        payload = {table: "".join(lines) for table, lines in events.items() if lines}
        for table, lines in events.items():
            self.inserted[table] += len(lines)
            lines.clear()
        for table, (lines, updates, deletes) in entities.items():
            self.inserted[table] += len(lines) - updates
            self.updated[table] += updates
            self.deleted[table] += len(deletes)
        self._jobs.put(lambda conn: _write(conn, entities, truth, timeline, payload))


def _copy(conn: psycopg.Connection, table: str, data: str, into: str | None = None) -> None:
    with conn.cursor().copy(f"COPY {into or table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
        copy.write(data)


def _write(conn: psycopg.Connection, entities, truth: list[str], timeline: list[str], events: dict[str, str]) -> None:
    for table in ENTITY_TABLES:
        lines = entities[table][0]
        if lines:
            columns = COLUMNS[table]
            _copy(conn, table, "".join(lines), into=f"stage_{table}")
            conn.execute(f"INSERT INTO {table} SELECT * FROM stage_{table} ON CONFLICT (id) DO UPDATE SET "
                         f"({', '.join(columns[1:])}) = ROW({', '.join('excluded.' + c for c in columns[1:])})")
            conn.execute(f"TRUNCATE stage_{table}")
    if truth:
        _copy(conn, "sim.account_truth", "".join(truth))
    if timeline:
        _copy(conn, "sim.account_events", "".join(timeline))
    for table in EVENT_TABLES:
        if table in events:
            _copy(conn, table, events[table])
    for table in ("devices", "users"):
        ids = entities[table][2]
        if ids:
            conn.execute(f"DELETE FROM {table} WHERE id = ANY(%s::uuid[])", (ids,))
