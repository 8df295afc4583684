"""Which sources exist and what raw tables each one loads, read from their manifests.

A source folder with `tables:` in its manifest is a database source (the app); one with
`entities:` is an API source. Reading the manifests is file I/O only, so DAG files may call this."""
from __future__ import annotations

from functools import lru_cache

import yaml

from include.paths import SOURCES_DIR

# DAG order and display order: the app first, then the external sources.
SOURCES = ("app", "stripe", "hubspot", "google_ads", "meta_ads", "linkedin_ads", "iterable")


@lru_cache
def _doc(source: str) -> dict:
    return yaml.safe_load((SOURCES_DIR / source / "manifest.yml").read_text())


def available() -> list[str]:
    """Sources whose manifest exists, in SOURCES order."""
    return [s for s in SOURCES if (SOURCES_DIR / s / "manifest.yml").exists()]


def is_api(source: str) -> bool:
    return "entities" in _doc(source)


def raw_tables(source: str) -> list[str]:
    """The source's raw table names (`raw_<source>.<name>`), in manifest order."""
    return list(_doc(source)["entities" if is_api(source) else "tables"])
