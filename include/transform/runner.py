"""The thin SQLMesh runner shared by the transform DAG and the CLI.

The Context is only ever built inside a task or a command, never at DAG parse time. SQLMesh's
config.yaml reads the warehouse from ELT_PG_* variables, which this module derives from the one
resolved warehouse URL, so SQLMesh, Airflow and the CLI cannot disagree about where data lives."""
from __future__ import annotations

import os

from include.paths import SQLMESH_DIR
from include.warehouse.settings import PgUrl


def sqlmesh_env(url: PgUrl) -> dict[str, str]:
    # PGTZ: SQLMesh renders interval bounds as naive UTC timestamps; a UTC session reads them right.
    return {"ELT_PG_HOST": url.host, "ELT_PG_PORT": str(url.port), "ELT_PG_USER": url.user,
            "ELT_PG_PASSWORD": url.password, "ELT_PG_DATABASE": url.database, "PGTZ": "UTC"}


def context(url: PgUrl, paths=SQLMESH_DIR):
    """A SQLMesh Context on the warehouse; `paths` lets a review test work on a copy of the project."""
    os.environ.update(sqlmesh_env(url))
    os.environ.setdefault("MAX_FORK_WORKERS", "1")
    from sqlmesh import Context

    return Context(paths=[str(paths)])


def run(url: PgUrl) -> dict:
    """Apply code changes to prod (a no-op when there are none), then build every model up to now.

    The plan only swaps in new model versions (skip_backfill) and the run that follows, at once,
    fills every missing interval up to now in dependency order. A plan's own backfill would stop
    at the last 15-minute boundary: rows extracted after it would reach staging only in the next
    run, too late for grain tables whose lookback no longer covers their event times. The run
    ignores cron for the same reason: the transform runs because raw data arrived."""
    ctx = context(url)
    # Unit tests gate a change in CI and in `elt sqlmesh plan <env>` reviews, before it reaches main; the
    # scheduled run deploys what passed them instead of re-running them every 15 minutes.
    plan = ctx.plan("prod", no_prompts=True, auto_apply=True, skip_backfill=True, skip_tests=True)
    status = ctx.run("prod", ignore_cron=True)
    return {"prod_changes": len(plan.new_snapshots), "run": str(status)}
