"""The review DAG with the real Airflow runtime (`airflow dags test review` with a `branch` conf),
on the session's built warehouse and a real git repository whose branch changes one model:
the branch is planned into its own environment, the GX suites pass there, the report and XCom
show the table_diff against prod, and prod's tables and snapshots are exactly as before."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pytest

from include.airflow_runtime import airflow, migrate
from include.errors import EltError
from include.paths import SQLMESH_DIR
from include.review import environment_for
from include.warehouse.connect import connect
from include.warehouse.settings import Warehouse

pytestmark = pytest.mark.slow
BRANCH = "feature/Ticket-Review-Marker"
ENV = "feature_ticket_review_marker"
MODEL = "crm.fact_tickets"   # a leaf: the branch's plan builds this one model


def git(repo, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def make_repo(path):
    """A git repository holding this checkout's SQLMesh project on `main` (what prod was built
    from, uncommitted edits included) and BRANCH, which adds a column to MODEL."""
    shutil.copytree(SQLMESH_DIR, path / "sqlmesh", ignore=shutil.ignore_patterns(".cache", "logs", "__pycache__"))
    git(path.parent, "init", "--quiet", "--initial-branch=main", str(path))
    git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "--allow-empty", "-m", "x")
    git(path, "add", "sqlmesh")
    git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "prod")
    git(path, "checkout", "--quiet", "-b", BRANCH)
    model = path / "sqlmesh" / "models" / "crm" / "fact_tickets.sql"
    head, found, tail = model.read_text().rpartition("\nFROM ")
    assert found, "fact_tickets.sql ends with its FROM clause"
    model.write_text(head + ",\n  1::INT AS review_marker\nFROM " + tail)
    git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "review marker")
    git(path, "checkout", "--quiet", "main")


def prod_state(warehouse) -> dict:
    """Prod as a reviewer must find it afterwards: its environment's snapshots and the changed
    model's columns and contents."""
    with connect(warehouse) as conn:
        (snapshots,) = conn.execute("SELECT snapshots FROM sqlmesh_state._environments WHERE name = 'prod'").fetchone()
        columns = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'crm' "
            "AND table_name = 'fact_tickets' ORDER BY ordinal_position")]
        rows, digest = conn.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {MODEL} t"
                                    ).fetchone()
    fingerprints = sorted((s["name"], json.dumps(s["fingerprint"], sort_keys=True)) for s in json.loads(snapshots))
    return {"fingerprints": fingerprints, "columns": columns, "rows": rows, "digest": digest}


def test_review_dag_plans_validates_and_diffs_a_branch_without_touching_prod(built_warehouse, tmp_path, monkeypatch):
    # The session's warehouse itself, not a copy: SQLMesh names every model after its database, so a
    # copy's inherited state would describe the original. The review must leave prod as it found
    # it, which is what this test asserts; its environment's schemas are all it adds.
    warehouse = built_warehouse.warehouse
    repo = tmp_path / "repo"
    make_repo(repo)
    before = prod_state(warehouse)
    assert before["rows"] > 0 and "review_marker" not in before["columns"]

    wh, home = Warehouse(warehouse, warehouse.with_database("unused"), False), tmp_path / "airflow"
    migrate(wh, home)
    monkeypatch.setenv("ELT_REVIEW_REPO", str(repo))
    monkeypatch.setenv("ELT_LOCAL_DIR", str(tmp_path / "local"))  # where the review writes its report
    result = airflow(wh, "dags", "test", "review", "--conf", json.dumps({"branch": BRANCH}),
                     capture=True, check=False, home=home)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]

    with sqlite3.connect(home / "airflow.db") as meta:
        states = dict(meta.execute("SELECT task_id, state FROM task_instance WHERE dag_id = 'review'"))
        pools = dict(meta.execute("SELECT task_id, pool FROM task_instance WHERE dag_id = 'review'"))
        slots = meta.execute("SELECT slots FROM slot_pool WHERE pool = 'sqlmesh'").fetchone()
        (value,) = meta.execute("SELECT value FROM xcom WHERE dag_id = 'review' AND task_id = 'report' AND key = 'return_value'").fetchone()
    assert states == dict.fromkeys(["plan", "validate", "report", "verdict"], "success")
    assert pools["plan"] == "sqlmesh" and slots == (1,), "plans take the one slot migrate made"
    summary = json.loads(value)
    assert summary["environment"] == ENV and summary["branch"] == BRANCH
    assert summary["directly_modified"] == [MODEL] and summary["indirectly_modified"] == []
    assert summary["quality_failed_layers"] == []
    (diff,) = summary["diffs"]
    assert diff["model"] == MODEL
    assert diff["added"] == ["review_marker"] and diff["removed"] == [] and diff["modified"] == []
    assert diff["prod_rows"] == diff["branch_rows"] == before["rows"]
    assert diff["only_in_prod"] == diff["only_in_branch"] == 0

    report = (tmp_path / "local" / "reviews" / f"{ENV}.md").read_text()
    assert summary["report"] == str(tmp_path / "local" / "reviews" / f"{ENV}.md")
    assert f"# Review of branch `{BRANCH}`" in report
    assert f"- directly modified: `{MODEL}`" in report
    assert "columns added: `review_marker`" in report
    assert "| entity | passed" in report and "FAILED" not in report

    assert prod_state(warehouse) == before, "prod's snapshots, columns and rows are unchanged"
    with connect(warehouse) as conn:
        assert conn.execute(f"SELECT count(review_marker) FROM crm__{ENV}.fact_tickets").fetchone()[0] == before["rows"]
        envs = {r[0] for r in conn.execute("SELECT environment FROM elt_meta.quality_results")}
    assert ENV in envs, "the GX results were recorded for the review environment"
    assert git(repo, "worktree", "list").count("\n") == 1, "the review's worktree is gone"


def test_branch_names_become_environments_never_prod():
    assert environment_for("feature/New-KPI") == "feature_new_kpi"
    assert environment_for("x" * 60) == "x" * 31 + "_" + environment_for("x" * 60)[-8:]
    assert environment_for("y" * 60) != environment_for("y" * 61), "long names stay distinct"
    for bad, says in [("PROD", "would plan into prod"), ("/-/", "no letters or digits")]:
        with pytest.raises(EltError, match=says):
            environment_for(bad)


def test_an_unknown_branch_is_a_clear_error(tmp_path, monkeypatch, pg_server):
    from include.review import plan_branch

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    monkeypatch.setenv("ELT_REVIEW_REPO", str(repo))
    with pytest.raises(EltError, match=f"branch 'nope' not found in the git repository {repo}"):
        plan_branch(pg_server, "nope")


def test_a_branch_that_does_not_parse_is_a_clear_error(tmp_path, monkeypatch, pg_server):
    from include.review import plan_branch

    repo = tmp_path / "repo"
    make_repo(repo)
    git(repo, "checkout", "--quiet", "-b", "broken")
    (repo / "sqlmesh" / "models" / "crm" / "fact_tickets.sql").write_text("MODEL (name crm.fact_tickets, kind FULL\nSELECT")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "broken")
    monkeypatch.setenv("ELT_REVIEW_REPO", str(repo))
    with pytest.raises(EltError, match="branch 'broken' cannot be planned into environment broken: "):
        plan_branch(pg_server, "broken")
    assert git(repo, "worktree", "list").count("\n") == 1, "the worktree is removed after a failure too"
