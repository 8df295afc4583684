"""The Airflow Assets, defined once: one per raw table and one per staging model.

URIs follow Airflow's postgres scheme (host, port, database, schema, table), from the resolved
warehouse URL. Resolution reads the environment only, so DAG files stay free of I/O at import."""
from __future__ import annotations

from airflow.sdk import Asset

from include.sources import registry
from include.warehouse.settings import resolve


def _table_asset(schema: str, table: str) -> Asset:
    wh = resolve().warehouse
    return Asset(name=f"{schema}.{table}", uri=f"postgres://{wh.host}:{wh.port}/{wh.database}/{schema}/{table}")


def raw_assets(source: str) -> dict[str, Asset]:
    """Table name -> Asset of `raw_<source>.<table>`, in manifest order."""
    return {t: _table_asset(f"raw_{source}", t) for t in registry.raw_tables(source)}


def all_raw_assets() -> list[Asset]:
    return [a for source in registry.available() for a in raw_assets(source).values()]


def staging_assets() -> list[Asset]:
    """The `staging.stg_<source>__<table>` models the transform builds, one per raw table."""
    return [_table_asset("staging", f"stg_{source}__{t}") for source in registry.available()
            for t in registry.raw_tables(source)]
