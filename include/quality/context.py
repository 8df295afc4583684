"""The GX project under expectations/ (include.paths.EXPECTATIONS_DIR): GX's filesystem stores for
suites, validation definitions, checkpoints and validation results, and the data docs site
(include.paths.DATA_DOCS_DIR). Suites and checkpoints are rewritten from code on every run, so
all of it is generated and git-ignored (expectations/.gitignore).

The context itself is built in memory from that store layout (no great_expectations.yml): its one
Postgres datasource is added per run for the warehouse being checked, so no connection string or
credential is ever written to disk. Runs that would write the same suites take project_lock."""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from typing import Iterator

from include.paths import EXPECTATIONS_DIR
from include.warehouse.settings import PgUrl

DATASOURCE = "warehouse"
BATCH = "whole table"


@contextmanager
def project_lock() -> Iterator[None]:
    """Exclusive use of the project's files across processes (suites, results, the docs site)."""
    lock_dir = EXPECTATIONS_DIR / "uncommitted"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_context():
    """A GX context over the project's stores, without progress bars or usage statistics."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=FilesystemStoreBackendDefaults(
            root_directory=str(EXPECTATIONS_DIR),
            plugins_directory=str(EXPECTATIONS_DIR / "uncommitted" / "plugins")),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def datasource(context, warehouse: PgUrl):
    """The warehouse as this run's one datasource (SQLAlchemy on psycopg 3, the platform's driver)."""
    return context.data_sources.add_postgres(
        DATASOURCE, connection_string=warehouse.url.replace("postgresql://", "postgresql+psycopg://", 1))


def table_batch(source, schema: str, table: str):
    """The whole-table batch definition of `schema.table`."""
    asset = source.add_table_asset(f"{schema}.{table}", table_name=table, schema_name=schema)
    return asset.add_batch_definition_whole_table(BATCH)
