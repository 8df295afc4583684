"""The Airflow Assets, defined once: one per raw table and one per model of the layers GX validates
after the transform (entity, crm, marts, metrics).

URIs follow Airflow's postgres scheme (host, port, database, schema, table), from the resolved
warehouse URL. Resolution reads the environment only, so DAG files stay free of I/O at import."""
from __future__ import annotations

from airflow.sdk import Asset

from include.paths import SQLMESH_DIR
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


VALIDATED_LAYERS = ("entity", "crm", "marts", "metrics")


def layer_assets(layer: str) -> list[Asset]:
    """One Asset per model of a SQLMesh layer: the model files of sqlmesh/models/<layer>/ (schema
    = layer, table = file name), so a new model is a new Asset without a line here."""
    return [_table_asset(layer, path.stem) for path in sorted((SQLMESH_DIR / "models" / layer).glob("*.sql"))]


def transform_output_assets() -> list[Asset]:
    """What the transform DAG updates: every model of the layers GX validates and analysts read.
    Not staging's: each DAG sync loads a DAG's schedule Assets x outlets x tags as rows, each with
    the whole schedule expression, and 62 staging outlets on the DAG scheduled on the 62 raw Assets
    added 8 s to every `airflow dags test` and to every parse loop of the DAG processor."""
    return [a for layer in VALIDATED_LAYERS for a in layer_assets(layer)]
