"""Where the repo keeps things. Everything generated lives under the git-ignored `.local/`."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("ELT_LOCAL_DIR", REPO_ROOT / ".local"))
DAGS_DIR = REPO_ROOT / "dags"
PLUGINS_DIR = REPO_ROOT / "plugins"
SQLMESH_DIR = REPO_ROOT / "sqlmesh"
SOURCES_DIR = REPO_ROOT / "include" / "sources"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"   # the GX project root
# GX writes the data docs site here (git-ignored); the Airflow plugin serves it.
DATA_DOCS_DIR = EXPECTATIONS_DIR / "uncommitted" / "data_docs" / "local_site"
