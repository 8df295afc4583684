"""The callables Airflow tasks run. Each takes its connections from Airflow at run time, never at
DAG parse time, and hands plain URLs to the code that does the work."""
from __future__ import annotations

from include.warehouse.settings import PgUrl


def connection_url(conn_id: str) -> PgUrl:
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    return PgUrl(conn.login or "postgres", conn.password or "", conn.host, conn.port or 5432, conn.schema)


def load_raw_table(source: str, table: str) -> dict:
    """Extract one table of a source into raw in one atomic batch; the summary goes to XCom and the log."""
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.sources import registry

    warehouse = connection_url(WAREHOUSE_CONN_ID)
    if registry.is_api(source):
        from include.sources.api_extract import extract_entity, load_manifest

        manifest = load_manifest(source)
        return extract_entity(manifest, table, api_client(manifest), warehouse).summary()
    from include.airflow_runtime import APP_DB_CONN_ID
    from include.sources.app.extract import extract_table

    batch = extract_table(connection_url(APP_DB_CONN_ID), warehouse, table)
    return {"table": f"raw_app.{table}", "batch_id": str(batch.batch_id), "rows_loaded": batch.rows_loaded,
            "rows_skipped": batch.rows_skipped, "rows_deleted": batch.rows_deleted,
            "columns_added": batch.columns_added}


def api_client(manifest):
    """An ApiClient for the source's Airflow connection (`<source>_api`): host, port and key."""
    from airflow.sdk import BaseHook

    from include.sources.credentials import client_for

    conn = BaseHook.get_connection(manifest.connection)
    return client_for(manifest.source, f"{conn.schema or 'http'}://{conn.host}:{conn.port}", conn.password)


def run_transform() -> dict:
    """Bring prod up to date with the SQLMesh project and run every due model."""
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.transform.runner import run

    return run(connection_url(WAREHOUSE_CONN_ID))


def advance_business_clock() -> dict:
    """Demo: move the simulated business 15 minutes forward, at the seed and scale it was built with."""
    from datetime import timedelta

    from include.airflow_runtime import APP_DB_CONN_ID
    from include.errors import EltError
    from include.simulation import simulate, simulated_clock
    from include.simulation.clock import read_state
    from include.warehouse.connect import connect

    app = connection_url(APP_DB_CONN_ID)
    if simulated_clock(app.url) is None:
        raise EltError(f"nothing is simulated in {app.redacted} yet: build the history first (`elt simulate --days 2`)")
    with connect(app) as conn:
        state = read_state(conn)
    summary = simulate(app.url, seed=state.seed, scale=state.scale, advance=timedelta(minutes=15))
    return {"clock_before": summary.clock_before.isoformat(), "clock_after": summary.clock_after.isoformat(),
            "inserted": summary.inserted, "updated": summary.updated, "deleted": summary.deleted}


def review_plan(params=None) -> dict:
    """Review DAG: plan the `branch` param's SQLMesh project into its own environment."""
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.review import plan_branch

    return plan_branch(connection_url(WAREHOUSE_CONN_ID), params["branch"])


def review_validate(planned: dict) -> list[dict]:
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.review import validate

    return validate(connection_url(WAREHOUSE_CONN_ID), planned["environment"])


def review_report(planned: dict, quality: list[dict]) -> dict:
    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.review import write_report

    return write_report(connection_url(WAREHOUSE_CONN_ID), planned, quality)


def review_verdict(summary: dict) -> None:
    from include.review import verdict

    verdict(summary)
