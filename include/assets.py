"""The Airflow Assets, defined once: one per raw table and one per staging model.

URIs follow Airflow's postgres scheme (host, port, database, schema, table), from the resolved
warehouse URL. Resolution reads the environment only, so DAG files stay free of I/O at import."""
from __future__ import annotations

from airflow.sdk import Asset

from include.sources import manifest
from include.warehouse.settings import resolve


def _table_asset(schema: str, table: str) -> Asset:
    wh = resolve().warehouse
    return Asset(name=f"{schema}.{table}", uri=f"postgres://{wh.host}:{wh.port}/{wh.database}/{schema}/{table}")


def raw_assets(source: str) -> dict[str, Asset]:
    """Table name -> Asset of `raw_<source>.<table>`, in manifest order."""
    spec = manifest.load(source)
    return {t.name: _table_asset(spec.raw_schema, t.name) for t in spec.tables}


def staging_assets(source: str) -> list[Asset]:
    """The `staging.stg_<source>__<table>` models the transform builds from that source."""
    return [_table_asset("staging", f"stg_{source}__{t.name}") for t in manifest.load(source).tables]
