"""`sim.api_objects`: the current state of every external-source object, as the source's API would
return it (payload), with its creation and last-change times. Generators upsert here; the mock
APIs read from here; the tests compare raw tables against it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from typing import Iterable

import psycopg

DDL = """
CREATE SCHEMA IF NOT EXISTS sim;
CREATE TABLE IF NOT EXISTS sim.api_objects (
    source      text        NOT NULL,
    object_type text        NOT NULL,
    id          text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    deleted     boolean     NOT NULL DEFAULT false,
    payload     jsonb       NOT NULL,
    PRIMARY KEY (source, object_type, id)
);
CREATE INDEX IF NOT EXISTS api_objects_updated_idx ON sim.api_objects (source, object_type, updated_at);
CREATE INDEX IF NOT EXISTS api_objects_created_idx ON sim.api_objects (source, object_type, created_at);
"""


@dataclass(frozen=True)
class Window:
    """One simulate() step: simulated time (start, end], the run's seed and scale, and whether it
    built the history (True) or advanced the clock."""

    seed: int
    scale: str
    start: dt.datetime
    end: dt.datetime
    built: bool

    def rng(self, *keys) -> random.Random:
        """A random stream that depends only on the seed, the window and the keys given."""
        text = "|".join(map(str, (self.seed, self.start.isoformat(), self.end.isoformat(), *keys)))
        return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


@dataclass(frozen=True)
class ApiObject:
    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    payload: dict
    deleted: bool = False


def stable_id(prefix: str, *keys, length: int = 14) -> str:
    """A source-style id (`cus_...`, `sub_...`) derived from keys, so reruns give the same ids."""
    digest = hashlib.sha256("|".join(map(str, keys)).encode()).hexdigest()
    return f"{prefix}{digest[:length]}"


def stable_uuid(*keys) -> str:
    return str(uuid.UUID(hashlib.sha256("|".join(map(str, keys)).encode()).hexdigest()[:32]))


def ensure_schema(conn: psycopg.Connection) -> None:
    conn.execute(DDL)


def upsert(conn: psycopg.Connection, source: str, object_type: str, objects: Iterable[ApiObject]) -> int:
    """Insert new objects and replace changed ones (a change must move updated_at forward).
    Returns how many rows were written."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _api_upsert (LIKE sim.api_objects) ON COMMIT DELETE ROWS")
    conn.execute("TRUNCATE _api_upsert")
    with conn.cursor().copy("COPY _api_upsert (source, object_type, id, created_at, updated_at, deleted, payload) "
                            "FROM STDIN") as copy:
        for obj in objects:
            copy.write_row((source, object_type, obj.id, obj.created_at, obj.updated_at, obj.deleted,
                            json.dumps(obj.payload, separators=(",", ":"), sort_keys=True)))
    return conn.execute(
        """INSERT INTO sim.api_objects SELECT DISTINCT ON (source, object_type, id) * FROM _api_upsert
           ORDER BY source, object_type, id, updated_at DESC
           ON CONFLICT (source, object_type, id) DO UPDATE
           SET updated_at = EXCLUDED.updated_at, deleted = EXCLUDED.deleted, payload = EXCLUDED.payload
           WHERE sim.api_objects.payload IS DISTINCT FROM EXCLUDED.payload
              OR sim.api_objects.deleted IS DISTINCT FROM EXCLUDED.deleted"""
    ).rowcount


def current(conn: psycopg.Connection, source: str, object_type: str) -> dict[str, dict]:
    """id -> payload of every object of a type, for generators that change what exists."""
    rows = conn.execute("SELECT id, payload FROM sim.api_objects WHERE source = %s AND object_type = %s",
                        (source, object_type)).fetchall()
    return dict(rows)
