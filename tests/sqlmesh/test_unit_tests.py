"""SQLMesh's own unit tests (sqlmesh/tests/*.yaml), run through its Python API on the real
Postgres (the project's test_connection), so the models are tested in the SQL they run in."""
from __future__ import annotations

from include.paths import SQLMESH_DIR


def test_every_sqlmesh_unit_test_passes(fresh_db):
    from include.transform.runner import context

    ctx = context(fresh_db("u"))
    result = ctx.test()
    declared = sum(path.read_text().count("\n  model:") for path in (SQLMESH_DIR / "tests").glob("*.yaml"))
    assert result.testsRun == declared > 0
    assert result.wasSuccessful(), [str(f) for f in result.failures + result.errors]
