"""Reviewing a change the way an analytics engineer does: edit one entity model, `sqlmesh plan dev`
builds only that model and what depends on it in a virtual environment, prod stays as it was,
and `table_diff` shows the difference. Runs against the real warehouse with real loads."""
from __future__ import annotations

import shutil

import pytest

from include.paths import SQLMESH_DIR
from include.simulation import simulate
from include.sources import registry
from include.sources.app.extract import extract_table
from include.warehouse import payload_tables
from include.warehouse.connect import connect

pytestmark = pytest.mark.slow
MODEL = "entity.entity_devices"


def columns(conn, schema, table):
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, table)).fetchall()]


def test_plan_dev_builds_only_the_change_and_leaves_prod(fresh_db, tmp_path):
    from include.transform.runner import context

    app, wh = fresh_db("app"), fresh_db("wh")
    simulate(app.url, days=2)
    for table in registry.raw_tables("app"):
        extract_table(app, wh, table)
    with connect(wh, autocommit=True) as conn:  # the API sources' raw tables, empty: not under test here
        for source in (s for s in registry.available() if registry.is_api(s)):
            for table in registry.raw_tables(source):
                payload_tables.ensure(conn, f"raw_{source}", table)

    project = tmp_path / "sqlmesh"
    shutil.copytree(SQLMESH_DIR, project, ignore=shutil.ignore_patterns(".cache", "logs"))
    ctx = context(wh, paths=project)
    ctx.plan("prod", no_prompts=True, auto_apply=True)
    with connect(wh) as conn:
        prod_rows = conn.execute(f"SELECT count(*) FROM {MODEL}").fetchone()[0]
        prod_columns = columns(conn, "entity", "entity_devices")
    assert prod_rows > 0

    # The change under review: a new measure on entity_devices.
    path = project / "models" / "entity" / "entity_devices.sql"
    head, found, tail = path.read_text().rpartition("\nFROM ")
    assert found, "entity_devices.sql ends with its FROM clause"
    path.write_text(head + ",\n  1::INT AS review_marker\nFROM " + tail)

    ctx = context(wh, paths=project)
    plan = ctx.plan("dev", no_prompts=True, auto_apply=True)
    (changed,) = plan.directly_modified
    assert changed.name.endswith('"entity"."entity_devices"')
    allowed = {changed.name} | {s.name for s in plan.indirectly_modified.get(changed, set())}
    assert {s.name for s in plan.new_snapshots} <= allowed, "only the change and what depends on it is built"
    assert {i.snapshot_id.name for i in plan.missing_intervals} <= allowed

    with connect(wh) as conn:
        assert columns(conn, "entity", "entity_devices") == prod_columns, "prod is untouched"
        assert "review_marker" not in prod_columns
        assert "review_marker" in columns(conn, "entity__dev", "entity_devices")
        assert conn.execute(f"SELECT count(*) FROM {MODEL}").fetchone()[0] == prod_rows

    diffs = ctx.table_diff("prod", "dev", select_models={MODEL}, show=False)
    assert len(diffs) == 1
    assert "review_marker" in {name for name, _ in diffs[0].schema_diff().added}
