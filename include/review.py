"""Reviewing a branch before it reaches prod, as the review DAG does it in three steps:

1. `plan_branch`: check the branch out into a temporary git worktree and `sqlmesh plan` its
   project into a virtual environment named after the branch (never prod), without prompts;
   only the changed models are built, every other model is a view on prod's tables;
2. `validate`: run the GX suites of every validated layer against that environment;
3. `write_report`: `table_diff` each changed model against prod and write the Markdown report
   to .local/reviews/<environment>.md.

Prod's tables and its environment's snapshots are never touched. The git repository is the
platform's own unless ELT_REVIEW_REPO names another clone. The GX suites are the deployed ones:
the review checks the branch's models against the rules in force."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from include.errors import EltError
from include.paths import LOCAL_DIR, REPO_ROOT
from include.warehouse.settings import PgUrl

REPO_SETTING = "ELT_REVIEW_REPO"
REVIEWS_DIR = LOCAL_DIR / "reviews"
# Layer schemas get `__<environment>` appended; 40 keeps `intermediate__<env>` well within 63.
MAX_ENVIRONMENT = 40
DIFF_SAMPLE_COLUMNS = 10


def environment_for(branch: str) -> str:
    """The SQLMesh environment a branch is planned into: lower case, letters, digits and `_`."""
    slug = re.sub(r"[^a-z0-9]+", "_", branch.strip().lower()).strip("_")
    if not slug:
        raise EltError(f"branch {branch!r} has no letters or digits to name a SQLMesh environment after")
    if slug == "prod":
        raise EltError(f"branch {branch!r} would plan into prod; a review never does: rename the branch")
    if len(slug) > MAX_ENVIRONMENT:
        slug = f"{slug[:MAX_ENVIRONMENT - 9]}_{hashlib.sha1(branch.encode()).hexdigest()[:8]}"
    return slug


def repo() -> Path:
    return Path(os.environ.get(REPO_SETTING) or REPO_ROOT)


@contextlib.contextmanager
def checkout(branch: str, repository: Path | None = None):
    """The branch's files in a temporary worktree (detached, so the branch itself stays free);
    yields (worktree path, commit). The worktree is removed afterwards."""
    repository = repository or repo()
    commit = _git(repository, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}",
                  error=f"branch {branch!r} not found in the git repository {repository}")
    with tempfile.TemporaryDirectory(prefix="elt-review-") as tmp:
        worktree = Path(tmp) / "worktree"
        _git(repository, "worktree", "add", "--detach", "--quiet", str(worktree), commit,
             error=f"cannot check out branch {branch!r} of {repository} into a worktree")
        try:
            yield worktree, commit
        finally:
            _git(repository, "worktree", "remove", "--force", str(worktree),
                 error=f"cannot remove the review worktree {worktree}")


def plan_branch(warehouse: PgUrl, branch: str) -> dict:
    """Run the branch's SQLMesh unit tests, then plan its project into its environment and apply it."""
    from include.transform.runner import context

    from sqlmesh.utils.errors import SQLMeshError

    environment = environment_for(branch)
    with checkout(branch) as (worktree, commit):
        try:
            ctx = _project(context, warehouse, worktree, branch)
            try:
                _unit_tests(ctx, branch)
                # include_unmodified: every model is in the environment (a view on prod's table where
                # unchanged), so the GX suites read each layer whole under `<layer>__<environment>`.
                plan = ctx.plan(environment, no_prompts=True, auto_apply=True, include_unmodified=True,
                                skip_tests=True)
            finally:
                ctx.close()
        except SQLMeshError as exc:  # a model that does not parse or render, a failed audit, ...
            reason = " ".join(str(exc).split())[:400] or type(exc).__name__
            raise EltError(f"branch {branch!r} cannot be planned into environment {environment}: {reason}") from None
    direct = sorted(plan.context_diff.snapshots[s].node.name for s in plan.directly_modified)
    indirect = sorted({plan.context_diff.snapshots[s].node.name for ids in plan.indirectly_modified.values() for s in ids}
                      - set(direct))
    return {"branch": branch, "environment": environment, "commit": commit,
            "planned_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "directly_modified": direct, "indirectly_modified": indirect,
            "built": sorted(s.node.name for s in plan.new_snapshots if s.is_model)}


def validate(warehouse: PgUrl, environment: str) -> list[dict]:
    """Each validated layer's GX suites on the environment; a broken rule is reported, not raised,
    so the report shows every layer."""
    from include.assets import VALIDATED_LAYERS
    from include.quality.runner import QualityFailure, run_layer

    results = []
    for layer in VALIDATED_LAYERS:
        try:
            summary = run_layer(warehouse, layer, environment=environment).summary()
            results.append({"layer": layer, "passed": True, "rules": summary["rules"], "detail": ""})
        except QualityFailure as failure:
            results.append({"layer": layer, "passed": False, "rules": None, "detail": str(failure)})
    return results


def write_report(warehouse: PgUrl, planned: dict, quality: list[dict]) -> dict:
    """Diff every changed model against prod and write the report; returns the summary."""
    from include.transform.runner import context

    environment = planned["environment"]
    changed = planned["directly_modified"] + planned["indirectly_modified"]
    with checkout(planned["branch"]) as (worktree, _):
        ctx = _project(context, warehouse, worktree, planned["branch"])
        try:
            no_grain = [name for name in changed if not ctx.get_model(name, raise_if_missing=True).on]
            diffs = ctx.table_diff("prod", environment, select_models=set(changed) - set(no_grain), show=False,
                                   warn_grain_check=True) if set(changed) - set(no_grain) else []
            diffed = sorted((_diff_summary(d) for d in diffs), key=lambda d: d["model"])
        finally:
            ctx.close()
    failed = [q["layer"] for q in quality if not q["passed"]]
    REVIEWS_DIR.mkdir(parents=True, exist_ok=True)
    path = REVIEWS_DIR / f"{environment}.md"
    path.write_text(_markdown(planned, quality, diffed, no_grain, warehouse))
    return {"branch": planned["branch"], "environment": environment, "commit": planned["commit"],
            "report": str(path), "directly_modified": planned["directly_modified"],
            "indirectly_modified": planned["indirectly_modified"], "quality_failed_layers": failed,
            "diffs": [{k: d[k] for k in ("model", "added", "removed", "modified", "prod_rows", "branch_rows",
                                          "rows_changed", "only_in_prod", "only_in_branch")} for d in diffed],
            "not_diffed_no_grain": no_grain}


def verdict(summary: dict) -> None:
    """Fail the review when the branch breaks a quality rule; the report says which."""
    if summary["quality_failed_layers"]:
        raise EltError(f"branch {summary['branch']!r} breaks quality rules in layer(s) "
                       f"{', '.join(summary['quality_failed_layers'])}; see {summary['report']}")


def _project(context, warehouse: PgUrl, worktree: Path, branch: str):
    project = worktree / "sqlmesh"
    if not (project / "config.yaml").is_file():
        raise EltError(f"branch {branch!r} has no SQLMesh project (sqlmesh/config.yaml)")
    return context(warehouse, paths=project)


def _unit_tests(ctx, branch: str) -> None:
    """The branch's SQLMesh unit tests, run before the plan so a failure names the tests."""
    result = ctx.test()
    broken = result.failures + result.errors
    if broken:
        names = ", ".join(sorted({str(test).split(" ")[0] for test, _ in broken}))
        raise EltError(f"branch {branch!r}: {len(broken)} of {result.testsRun} SQLMesh unit tests fail ({names}); "
                       f"`elt sqlmesh test` on the branch shows why")


def _diff_summary(diff) -> dict:
    schema, rows = diff.schema_diff(), diff.row_diff()
    stats = rows.column_stats
    differing = []
    if stats is not None and not stats.empty and "pct_match" in stats.columns:
        differing = [(str(col), float(pct)) for col, pct in stats["pct_match"].items() if pct < 100]
    return {"model": diff.model_name, "added": [c for c, _ in schema.added], "removed": [c for c, _ in schema.removed],
            "modified": sorted(schema.modified), "prod_rows": rows.source_count, "branch_rows": rows.target_count,
            "matched": rows.join_count, "rows_changed": rows.partial_match_count, "only_in_prod": rows.s_only_count,
            "only_in_branch": rows.t_only_count, "differing_columns": differing}


def _markdown(planned: dict, quality: list[dict], diffs: list[dict], no_grain: list[str], warehouse: PgUrl) -> str:
    env = planned["environment"]
    lines = [f"# Review of branch `{planned['branch']}`", "",
             f"Commit `{planned['commit'][:12]}`, planned {planned['planned_at']} into SQLMesh environment "
             f"`{env}` on {warehouse.redacted}. Query it as `<layer>__{env}.<table>`; prod is unchanged.", "",
             "## Plan", "",
             f"- directly modified: {_names(planned['directly_modified'])}",
             f"- indirectly modified: {_names(planned['indirectly_modified'])}",
             f"- new model versions built: {len(planned['built'])}", "",
             f"## Quality (GX suites on `{env}`)", "", "| layer | result |", "|---|---|"]
    lines += [f"| {q['layer']} | {'passed, ' + str(q['rules']) + ' rules' if q['passed'] else 'FAILED'} |" for q in quality]
    for q in (q for q in quality if not q["passed"]):
        lines += ["", f"### {q['layer']}", "", "```", q["detail"], "```"]
    lines += ["", "## Table diff against prod", ""]
    if not diffs and not no_grain:
        lines.append("No model's data differs from prod.")
    for d in diffs:
        lines += [f"### `{d['model']}`", "",
                  f"- columns added: {_names(d['added'])}; removed: {_names(d['removed'])}; "
                  f"type changed: {_names(d['modified'])}",
                  f"- rows: {d['prod_rows']:,} in prod, {d['branch_rows']:,} on the branch; of {d['matched']:,} matched "
                  f"on the grain, {d['rows_changed']:,} differ; {d['only_in_prod']:,} only in prod, "
                  f"{d['only_in_branch']:,} only on the branch"]
        if d["differing_columns"]:
            shown = d["differing_columns"][:DIFF_SAMPLE_COLUMNS]
            lines.append("- columns that differ (share of matched rows equal): "
                         + ", ".join(f"`{c}` {pct:.1f}%" for c, pct in shown))
        lines.append("")
    if no_grain:
        lines += [f"Not diffed (no grain to join on): {_names(no_grain)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def _git(repository: Path, *args: str, error: str) -> str:
    out = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise EltError(error + (f": {out.stderr.strip().splitlines()[-1]}" if out.stderr.strip() else ""))
    return out.stdout.strip()
