"""API credentials of the external sources. Keys never live in the repo: a key comes from
ELT_<SOURCE>_API_KEY, or is made once for the local mocks under .local/secrets/ (git-ignored).
Each manifest's `auth` block says how the key travels (header and format) and its prefix."""
from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

import yaml

from include.paths import LOCAL_DIR, SOURCES_DIR
from include.sources.http_client import ApiClient

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def auth_spec(source: str) -> dict:
    path = SOURCES_DIR / source / "manifest.yml"
    return dict(_auth_block(path, path.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _auth_block(path: Path, _mtime_ns: int) -> dict:
    """Parsed once per manifest version: a client per entity would otherwise re-read the YAML each time."""
    return yaml.load(path.read_text(), Loader=_LOADER)["auth"]


def api_key(source: str) -> str:
    if key := os.environ.get(f"ELT_{source.upper()}_API_KEY"):
        return key
    path = LOCAL_DIR / "secrets" / f"{source}_api_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(auth_spec(source).get("key_prefix", "") + secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip()


def client_for(source: str, base_url: str, key: str) -> ApiClient:
    spec = auth_spec(source)
    return ApiClient(base_url, {spec.get("header", "Authorization"): spec.get("format", "Bearer {key}").format(key=key)})
