"""Extract-load for the API sources, driven by each source's manifest.yml.

Per entity, one warehouse transaction holds the batch: every record the source's fetch function
yields since (watermark - overlap) goes through COPY into a temp table, and only versions raw does
not have yet are inserted; then the ledger row and the new watermark (the newest cursor seen).
A failure anywhere rolls the batch back and the retry re-reads the same window: nothing lost,
nothing doubled.

Records the source sent wrong are kept, flagged in `_flags`, and counted: a missing key or
cursor, a string where a number belongs. A page that stays malformed after the client's retries
is kept as a flagged record of its text; paging of that entity stops there and the watermark
does not pass it, so the next run reads it again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml
from psycopg import sql

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
    doc = yaml.safe_load(path.read_text())
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
    for part in path.split("."):
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


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


def inspect(entity: Entity, record: dict) -> tuple[str | None, dt.datetime | None, list[str]]:
    """(id, cursor, flags) of one record."""
    flags = []
    key = dig(record, entity.primary_key)
    if key in (None, ""):
        flags.append(f"missing:{entity.primary_key}")
    cursor = to_timestamp(dig(record, entity.cursor), entity.cursor_format)
    if cursor is None:
        flags.append(f"bad_cursor:{entity.cursor}")
    for path in entity.required:
        if dig(record, path) in (None, ""):
            flags.append(f"missing:{path}")
    for path in entity.numeric:
        value = dig(record, path)
        if value is not None and not _is_number(value):
            flags.append(f"not_a_number:{path}")
    return (None if key in (None, "") else str(key)), cursor, sorted(set(flags))


def extract_entity(manifest: ApiManifest, entity_name: str, client: ApiClient, warehouse: PgUrl) -> ApiBatch:
    entity = manifest.entity(entity_name)
    fetch = getattr(importlib.import_module(f"include.sources.{manifest.source}.api"), entity.fetch)
    batch = ApiBatch(manifest.source, entity.name)
    raw = sql.Identifier(manifest.raw_schema, entity.name)
    with connect(warehouse) as dst, dst.transaction():
        # Safe without a synchronous flush: rows and watermark commit together, so a commit lost
        # in a crash loses both and the next run reads the same window again.
        dst.execute("SET LOCAL synchronous_commit TO off")
        meta.ensure(dst)
        dst.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{manifest.raw_schema}.{entity.name}",))
        payload_tables.ensure(dst, manifest.raw_schema, entity.name)
        watermark = meta.watermark(dst, manifest.source, entity.name)
        since = watermark - entity.overlap if watermark else None
        batch.cursor_from = watermark
        dst.execute(sql.SQL("CREATE TEMP TABLE _incoming (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(raw))
        newest = watermark
        with dst.cursor().copy("COPY _incoming (id, cursor_at, payload, _version, _flags, _deleted, _batch_id, "
                               "_extracted_at) FROM STDIN") as copy:
            try:
                for record in fetch(client, since):
                    key, cursor, flags = inspect(entity, record)
                    text = json.dumps(record, separators=(",", ":"), sort_keys=True)
                    version = hashlib.md5(text.encode()).hexdigest()
                    deleted = bool(dig(record, entity.deleted_flag)) if entity.deleted_flag else False
                    copy.write_row((key or f"_unkeyed:{version}", cursor, text, version, flags, deleted,
                                    batch.batch_id, batch.started_at))
                    batch.rows_seen += 1
                    batch.rows_flagged += bool(flags)
                    if cursor and not flags and (newest is None or cursor > newest):
                        newest = cursor
            except MalformedPage as bad:
                # Kept and flagged; the entity stops here and its watermark stays behind the page.
                text = json.dumps({"_malformed_page": bad.text[:100_000], "_request": bad.request})
                copy.write_row((f"_malformed:{hashlib.md5(bad.text.encode()).hexdigest()}", None, text,
                                hashlib.md5(text.encode()).hexdigest(), ["malformed_page"], False, batch.batch_id,
                                batch.started_at))
                batch.rows_seen += 1
                batch.rows_flagged += 1
                log.warning("raw_%s.%s: malformed page kept and flagged: %s", manifest.source, entity.name, bad)
        batch.rows_loaded, batch.rows_deleted = dst.execute(sql.SQL(
            """WITH inserted AS (
                 INSERT INTO {raw} SELECT DISTINCT ON (id, _version) * FROM _incoming i
                 WHERE NOT EXISTS (SELECT 1 FROM {raw} r WHERE r.id = i.id AND r._version = i._version)
                 ORDER BY id, _version
                 RETURNING _deleted)
               SELECT count(*), count(*) FILTER (WHERE _deleted) FROM inserted""").format(raw=raw)).fetchone()
        batch.rows_skipped = batch.rows_seen - batch.rows_loaded
        batch.cursor_to = newest
        batch.retries = client.retries
        meta.record_batch(dst, batch)
    log.info("%s", batch)
    return batch
