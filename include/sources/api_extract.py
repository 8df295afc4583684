"""Extract-load for the API sources, driven by each source's manifest.yml.

Per entity, one warehouse transaction holds the batch: every record the source's fetch function
yields since (watermark - overlap) goes through COPY into a temp table, and only new versions are
inserted (a version differing from the latest raw holds of that id, see payload_tables); then the
ledger row and the new watermark (the newest cursor seen). A record seen again within the batch
(a repeated page) is dropped as it streams. A first load, into a raw table that holds nothing yet,
has no stored version to compare with: its records COPY straight into raw.
A failure anywhere rolls the batch back and the retry re-reads the same window: nothing lost,
nothing doubled.

Records the source sent wrong are kept, flagged in `_flags`, and counted: a missing key or
cursor, a string where a number belongs. A page that stays malformed after the client's retries
is kept as a flagged record of its text; paging of that entity stops there and the watermark
does not pass it, so the next run reads it again.
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import importlib
import json
import logging
import os
import queue
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import yaml
import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from include.errors import EltError
from include.paths import SOURCES_DIR
from include.sources.http_client import ApiClient, MalformedPage
from include.warehouse import meta, payload_tables
from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entity:
    name: str
    fetch: str                       # function name in include/sources/<source>/api.py
    primary_key: str                 # dotted path into the record
    cursor: str                      # dotted path; its value orders versions and sets the watermark
    cursor_format: str               # unix | unix_ms | iso | date
    overlap: dt.timedelta
    deleted_flag: str | None = None  # dotted path of a boolean that marks a deleted record
    numeric: tuple[str, ...] = ()    # dotted paths whose values must be numbers (or numeric strings)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiManifest:
    source: str
    connection: str
    entities: tuple[Entity, ...]

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.source}"

    def entity(self, name: str) -> Entity:
        for e in self.entities:
            if e.name == name:
                return e
        raise EltError(f"source {self.source!r} has no entity {name!r}; known: {', '.join(e.name for e in self.entities)}")


def load_manifest(source: str) -> ApiManifest:
    from include.sources.manifest import parse_duration

    path = SOURCES_DIR / source / "manifest.yml"
    doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    default_overlap = doc.get("overlap", "10 minutes")
    entities = []
    for name, spec in doc["entities"].items():
        try:
            entities.append(Entity(
                name, spec.get("fetch", name), spec["primary_key"], spec["cursor"], spec.get("cursor_format", "unix"),
                parse_duration(str(spec.get("overlap", default_overlap)), where=f"{path}: {name}"),
                spec.get("deleted_flag"), tuple(spec.get("numeric", ())), tuple(spec.get("required", ()))))
        except KeyError as missing:
            raise EltError(f"{path}: entity {name!r} lacks {missing}") from None
    return ApiManifest(doc["source"], doc.get("connection", f"{source}_api"), tuple(entities))


@dataclass
class ApiBatch:
    source: str
    table: str
    batch_id: uuid.UUID = field(default_factory=uuid.uuid4)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    cursor_from: dt.datetime | None = None
    cursor_to: dt.datetime | None = None
    rows_seen: int = 0
    rows_loaded: int = 0
    rows_skipped: int = 0
    rows_deleted: int = 0
    rows_flagged: int = 0
    retries: int = 0
    columns_added: tuple = ()

    def __str__(self) -> str:
        return (f"raw_{self.source}.{self.table}: {self.rows_seen} records read, {self.rows_loaded} new versions, "
                f"{self.rows_skipped} already had, {self.rows_deleted} deletes, {self.rows_flagged} flagged, "
                f"{self.retries} retries")

    def summary(self) -> dict:
        return {"table": f"raw_{self.source}.{self.table}", "batch_id": str(self.batch_id), "rows_seen": self.rows_seen,
                "rows_loaded": self.rows_loaded, "rows_skipped": self.rows_skipped, "rows_deleted": self.rows_deleted,
                "rows_flagged": self.rows_flagged, "retries": self.retries}


def dig(record: Any, path: str) -> Any:
    return dig_parts(record, tuple(path.split(".")))


def to_timestamp(value: Any, fmt: str) -> dt.datetime | None:
    """The cursor value as UTC; None when it is missing or unreadable (the record is flagged)."""
    if value is None or value == "":
        return None
    try:
        if fmt == "unix":
            return dt.datetime.fromtimestamp(int(value), dt.timezone.utc)
        if fmt == "unix_ms":
            return dt.datetime.fromtimestamp(int(value) / 1000, dt.timezone.utc)
        if fmt == "date":
            return dt.datetime.combine(dt.date.fromisoformat(str(value)[:10]), dt.time(), dt.timezone.utc)
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _getter(path: str) -> Callable[[Any], Any]:
    """dig() for one path, split once: it runs several times for every record."""
    parts = tuple(path.split("."))
    if len(parts) == 1:
        return lambda record: record.get(path) if isinstance(record, dict) else None
    return lambda record: dig_parts(record, parts)


def dig_parts(record: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def inspector(entity: Entity) -> Callable[[dict], tuple[str | None, dt.datetime | None, list[str]]]:
    """The function giving (id, cursor, flags) of one of the entity's records."""
    key_of, cursor_of, fmt = _getter(entity.primary_key), _getter(entity.cursor), entity.cursor_format
    required = [(f"missing:{path}", _getter(path)) for path in entity.required]
    numeric = [(f"not_a_number:{path}", _getter(path)) for path in entity.numeric]
    no_key, bad_cursor = f"missing:{entity.primary_key}", f"bad_cursor:{entity.cursor}"

    def inspect(record: dict) -> tuple[str | None, dt.datetime | None, list[str]]:
        flags = []
        key = key_of(record)
        if key in (None, ""):
            flags.append(no_key)
        cursor = to_timestamp(cursor_of(record), fmt)
        if cursor is None:
            flags.append(bad_cursor)
        for flag, get in required:
            if get(record) in (None, ""):
                flags.append(flag)
        for flag, get in numeric:
            value = get(record)
            if value is not None and not _is_number(value):
                flags.append(flag)
        return (None if key in (None, "") else str(key)), cursor, sorted(set(flags)) if flags else flags

    return inspect


_END = object()


def read_ahead(records: Iterable[dict], chunk_size: int = 256, chunks: int = 8) -> Iterator[dict]:
    """The records, read on a thread up to chunks x chunk_size ahead of the caller: while a batch
    checks, hashes and copies one page, the API is already serving the next. The first chunk_size
    come straight from the caller's thread, so an entity of a page or two never pays for a thread.
    An error of the read (the malformed page that ends it, say) is raised to the caller after the
    records read before it. If the caller stops early, the thread stops at its next handoff."""
    records = iter(records)
    for _ in range(chunk_size):
        try:
            record = next(records)
        except StopIteration:
            return
        yield record
    handoff: queue.Queue = queue.Queue(maxsize=chunks)
    stop = threading.Event()

    def give(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def read() -> None:
        chunk, end = [], _END
        try:
            for record in records:
                chunk.append(record)
                if len(chunk) == chunk_size:
                    if not give((chunk, None)):
                        return
                    chunk = []
        except BaseException as exc:
            end = exc
        give((chunk, end))

    threading.Thread(target=read, name="api-read-ahead", daemon=True).start()
    try:
        while True:
            chunk, end = handoff.get()
            yield from chunk
            if end is _END:
                return
            if end is not None:
                raise end
    finally:
        stop.set()


# Warehouse connections per process and warehouse, reused by later batches: a new connection is
# a new server backend with cold catalog caches, which at small batch sizes costs more than the
# batch. Each batch is still its own transaction; a connection a batch failed on is closed, never
# reused, and one the server dropped since the last batch is replaced before the batch starts. Up to
# ENTITY_WORKERS are kept, one per batch extract_source runs at once. Keyed by process id, so a
# forked child never shares its parent's sockets.
ENTITY_WORKERS = 4
_IDLE: dict[tuple[int, str], list[psycopg.Connection]] = {}
_IDLE_LOCK = threading.Lock()


def _open_batch(warehouse: PgUrl, begin: Callable[[psycopg.Connection], tuple]) -> tuple[psycopg.Connection, tuple]:
    """A connection in a new transaction and what `begin`, the transaction's first statements, read."""
    with _IDLE_LOCK:
        idle = _IDLE.get((os.getpid(), warehouse.url))
        conn = idle.pop() if idle else None
    if conn is not None and not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE:
        try:
            return conn, begin(conn)
        except psycopg.OperationalError:
            conn.close()    # the server went away since the last batch: start over on a new connection
        except BaseException:
            conn.close()
            raise
    elif conn is not None:
        conn.close()
    conn = connect(warehouse, autocommit=True)    # batches open and commit their own transactions
    try:
        return conn, begin(conn)
    except BaseException:
        conn.close()
        raise


def _give_back(warehouse: PgUrl, conn: psycopg.Connection) -> None:
    with _IDLE_LOCK:
        idle = _IDLE.setdefault((os.getpid(), warehouse.url), [])
        if len(idle) < ENTITY_WORKERS:
            idle.append(conn)
            return
    conn.close()


@atexit.register
def release_connections() -> None:
    """Close the idle connections this process keeps (before a database is dropped or copied)."""
    with _IDLE_LOCK:
        idle = [conn for conns in _IDLE.values() for conn in conns]
        _IDLE.clear()
    for conn in idle:
        conn.close()


# Lands the rows of _incoming that are new versions, and the batch's ledger row and watermark, in one
# statement. Per id, incoming rows are ordered as staging orders versions (cursor_at, nulls first;
# the version breaks a tie) and a row lands when its version differs from the one before it: the
# previous incoming row, or for the first, the latest version raw already holds. Re-reads and pages
# repeated add nothing, while a record that changes and changes back (A, B, A) lands every change.
_LAND = """
WITH incoming AS (
    SELECT i.*, row_number() OVER w AS _n, lag(_version) OVER w AS _previous
    FROM _incoming i WINDOW w AS (PARTITION BY id ORDER BY cursor_at ASC NULLS FIRST, _version)
), latest AS (
    SELECT DISTINCT ON (r.id) r.id, r._version FROM {raw} r
    WHERE r.id IN (SELECT id FROM _incoming)
    ORDER BY r.id, r._extracted_at DESC, r.cursor_at DESC NULLS LAST, r._version DESC
), inserted AS (
    INSERT INTO {raw} (id, cursor_at, payload, _version, _flags, _deleted, _batch_id, _extracted_at)
    SELECT i.id, i.cursor_at, i.payload, i._version, i._flags, i._deleted, %(batch_id)s::uuid, %(started_at)s::timestamptz
    FROM incoming i LEFT JOIN latest l ON l.id = i.id
    WHERE CASE WHEN i._n = 1 THEN l._version IS DISTINCT FROM i._version ELSE i._version <> i._previous END
    RETURNING _deleted
), counts AS (
    SELECT count(*) AS loaded, count(*) FILTER (WHERE _deleted) AS deleted FROM inserted
), {ledger}
SELECT loaded, deleted FROM counts"""


# The payload as stored and hashed into its version: json.dumps(record, separators=(",", ":"),
# sort_keys=True) byte for byte, without building a new encoder for every record as dumps does.
_canonical_json = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode

# A first load's ledger row and watermark: its rows went straight into raw, counted as they went.
_RECORD_FIRST_LOAD = """
WITH counts AS (SELECT %(rows_loaded)s::bigint AS loaded, %(rows_deleted)s::bigint AS deleted), {ledger}
SELECT loaded, deleted FROM counts"""


# The temp table the records of a later load stream into: one per connection, kept across its batches
# (ON COMMIT DELETE ROWS), because making and dropping a table in every batch writes the catalog
# and cost more than the rest of a small batch.
_INCOMING = ("CREATE TEMP TABLE _incoming (id text NOT NULL, cursor_at timestamptz, payload jsonb NOT NULL, "
             "_version text NOT NULL, _flags text[] NOT NULL, _deleted boolean NOT NULL) ON COMMIT DELETE ROWS")


def extract_entity(manifest: ApiManifest, entity_name: str, client: ApiClient, warehouse: PgUrl) -> ApiBatch:
    """One entity into raw as one atomic batch. Its fixed cost is kept to a few round trips (an
    Airflow task per entity pays it every 15 minutes, and on a busy server every round trip waits
    for the backend to be scheduled): one takes the lock and reads the watermark, whether raw is
    empty and whether the connection has its temp table; COPY streams the records; one lands the
    new versions with the ledger row and the watermark, and commits.

    Two records with one version are one record: the version hashes the whole payload, from which
    the id and the cursor derive, so they sort next to each other and the second would never land.
    They are dropped as they stream. What is left differs from the record before it, so on a first
    load (raw empty: no latest version to compare with) every record left is a new version and
    COPY writes it straight into raw, skipping the temp table and the landing statement."""
    entity = manifest.entity(entity_name)
    fetch = getattr(importlib.import_module(f"include.sources.{manifest.source}.api"), entity.fetch)
    batch = ApiBatch(manifest.source, entity.name)
    raw = sql.Identifier(manifest.raw_schema, entity.name)
    # Safe without a synchronous flush: rows and watermark commit together, so a commit lost in a
    # crash loses both and the next run reads the same window again.
    lock = sql.SQL("SELECT pg_advisory_xact_lock(hashtext({})), set_config('synchronous_commit', 'off', true)").format(
        sql.Literal(f"{manifest.raw_schema}.{entity.name}"))
    # Read after the lock is held, so a batch that committed while this one waited is seen.
    read = sql.SQL(
        "SELECT " + meta.READY + ", (SELECT cursor_value FROM elt_meta.watermarks WHERE source = {} AND table_name = {}), "
        "NOT EXISTS (SELECT FROM {}), to_regclass('pg_temp._incoming') IS NOT NULL"
    ).format(sql.Literal(manifest.source), sql.Literal(entity.name), raw)

    # One round trip, as simple-query statements that each take a new snapshot (the connection is
    # in autocommit, so the transaction is this explicit BEGIN's and psycopg adds no round trip).
    start = sql.SQL("BEGIN; {}; {}").format(lock, read)

    def locked_read(conn: psycopg.Connection) -> tuple:
        cur = conn.execute(start)
        cur.nextset()
        cur.nextset()    # the third statement's result: the read
        return cur.fetchone()

    def begin(conn: psycopg.Connection) -> tuple:
        """Lock and read in one round trip. The read fails on a table or ledger not made yet (a
        source's first batch): then they are made, in a transaction of their own, and the batch
        begins again."""
        try:
            return locked_read(conn)
        except psycopg.errors.UndefinedTable:
            conn.execute("ROLLBACK")
            with meta.ddl_transaction(conn):
                meta.ensure(conn)
                payload_tables.ensure(conn, manifest.raw_schema, entity.name)
            return locked_read(conn)

    dst, (ledger_ready, watermark, first_load, has_incoming) = _open_batch(warehouse, begin)
    try:
        meta.ensure(dst, ledger_ready or None)    # a ledger from before its newest column
        if not (first_load or has_incoming):
            dst.execute(_INCOMING)
        since = watermark - entity.overlap if watermark else None
        batch.cursor_from = watermark
        newest = watermark
        inspect = inspector(entity)
        deleted_of = _getter(entity.deleted_flag) if entity.deleted_flag else None
        if first_load:
            copy_sql = sql.SQL("COPY {} (id, cursor_at, payload, _version, _flags, _deleted, _batch_id, _extracted_at) "
                               "FROM STDIN").format(raw)
            stamp = (str(batch.batch_id), batch.started_at.isoformat())
        else:
            copy_sql, stamp = sql.SQL("COPY _incoming (id, cursor_at, payload, _version, _flags, _deleted) FROM STDIN"), ()
        streamed: set[bytes] = set()
        written = deleted = 0
        with dst.cursor().copy(copy_sql) as copy:
            write_row, md5 = copy.write_row, hashlib.md5

            def write(key: str | None, cursor: dt.datetime | None, text: str, flags: list[str], is_deleted: bool) -> None:
                nonlocal written, deleted
                digest = md5(text.encode()).digest()
                if digest in streamed:
                    return
                streamed.add(digest)
                version = digest.hex()
                # No flags as the array's literal: adapting an empty list costs more than the rest of the row.
                write_row((key or f"_unkeyed:{version}", cursor, text, version, flags or "{}", is_deleted) + stamp)
                written += 1
                deleted += is_deleted

            records = read_ahead(fetch(client, since))
            try:
                for record in records:
                    key, cursor, flags = inspect(record)
                    write(key, cursor, _canonical_json(record), flags, bool(deleted_of(record)) if deleted_of else False)
                    batch.rows_seen += 1
                    if flags:
                        batch.rows_flagged += 1
                    elif cursor and (newest is None or cursor > newest):
                        newest = cursor
            except MalformedPage as bad:
                # Kept and flagged; the entity stops here and its watermark stays behind the page.
                write(f"_malformed:{hashlib.md5(bad.text.encode()).hexdigest()}", None,
                      json.dumps({"_malformed_page": bad.text[:100_000], "_request": bad.request}), ["malformed_page"], False)
                batch.rows_seen += 1
                batch.rows_flagged += 1
                log.warning("raw_%s.%s: malformed page kept and flagged: %s", manifest.source, entity.name, bad)
            finally:
                records.close()    # a batch failing here stops the reading thread
        batch.cursor_to = newest
        batch.retries = client.retries
        ledger = sql.SQL(meta.LEDGER_CTES)
        if first_load:
            land = sql.SQL(_RECORD_FIRST_LOAD).format(ledger=ledger)
            params = {**meta.ledger_params(batch), "rows_loaded": written, "rows_deleted": deleted}
        else:
            land, params = sql.SQL(_LAND).format(raw=raw, ledger=ledger), meta.ledger_params(batch)
        with dst.pipeline():    # the landing statement and COMMIT in one round trip
            cur = dst.execute(land, params)
            dst.execute("COMMIT")
        batch.rows_loaded, batch.rows_deleted = cur.fetchone()
        batch.rows_skipped = batch.rows_seen - batch.rows_loaded
    except BaseException:
        dst.close()    # the batch rolls back with the connection, which is never reused
        raise
    _give_back(warehouse, dst)
    log.info("%s", batch)
    return batch


def extract_source(manifest: ApiManifest, client: Callable[[], ApiClient], warehouse: PgUrl,
                   tables: Iterable[str] | None = None, workers: int = ENTITY_WORKERS) -> list[ApiBatch]:
    """The source's entities (or the tables named), each as its own batch, up to `workers` at once,
    as the el DAG runs them: one task per entity, none waiting for another. A batch spends most of
    its time waiting, on the API's pages and on the warehouse's round trips, so batches side by side
    overlap those waits. `client` makes one ApiClient per batch (a client counts its own retries).
    A failed entity fails the call after the others finish, naming every failure; the batches that
    committed stay committed, as the DAG's other tasks do."""
    names = list(tables) if tables is not None else [e.name for e in manifest.entities]
    for name in names:
        manifest.entity(name)    # an unknown table fails before any batch starts
    if not names:
        return []

    def one(name: str) -> ApiBatch:
        api = client()
        try:
            return extract_entity(manifest, name, api, warehouse)
        finally:
            api.release()

    with ThreadPoolExecutor(max_workers=min(workers, len(names)), thread_name_prefix=f"el-{manifest.source}") as pool:
        futures = [(name, pool.submit(one, name)) for name in names]
    batches, failures = [], []
    for name, future in futures:
        if future.exception() is None:
            batches.append(future.result())
        else:
            failures.append(f"{name}: {future.exception()}")
    if failures:
        raise EltError(f"{manifest.raw_schema}: {len(failures)} of {len(names)} entities failed (the others "
                       f"committed): " + "; ".join(failures))
    return batches
