"""Source manifests: the small YAML file per source that lists its tables, keys and cursors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import yaml

from include.errors import EltError
from include.paths import SOURCES_DIR

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_DURATION = re.compile(r"^(\d+)\s*(second|minute|hour|day)s?$")


@dataclass(frozen=True)
class TableSpec:
    name: str
    primary_key: str
    cursor: str
    hard_deletes: bool


@dataclass(frozen=True)
class Manifest:
    source: str
    overlap: timedelta
    tables: tuple[TableSpec, ...]

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.source}"

    def table(self, name: str) -> TableSpec:
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise EltError(f"source {self.source!r} has no table {name!r}; known: {', '.join(t.name for t in self.tables)}")


def parse_duration(text: str, *, where: str) -> timedelta:
    """'10 minutes', '3 days' -> timedelta; anything else is an error naming where it came from."""
    match = _DURATION.match(text.strip())
    if not match:
        raise EltError(f"{where}: {text!r} is not a duration like '10 minutes' or '3 days'")
    return timedelta(**{match.group(2) + "s": int(match.group(1))})


def load(source: str) -> Manifest:
    path = SOURCES_DIR / source / "manifest.yml"
    if not path.exists():
        raise EltError(f"no manifest for source {source!r} at {path}")
    doc = yaml.safe_load(path.read_text())
    where = f"{path.relative_to(SOURCES_DIR.parent.parent)}"
    overlap = parse_duration(str(doc.get("overlap", "0 minutes")), where=f"{where}: overlap")
    tables = []
    for name, spec in (doc.get("tables") or {}).items():
        for ident in (name, spec.get("primary_key", ""), spec.get("cursor", "")):
            if not _IDENT.match(ident):
                raise EltError(f"{where}: table {name!r} has a missing or invalid identifier {ident!r}")
        tables.append(TableSpec(name, spec["primary_key"], spec["cursor"], bool(spec.get("hard_deletes", False))))
    if doc.get("source") != source or not tables:
        raise EltError(f"{where}: must name source {source!r} and list at least one table")
    return Manifest(source, overlap, tuple(tables))
