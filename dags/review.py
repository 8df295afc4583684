"""
### review: a branch's SQLMesh changes, planned beside prod

Trigger with `{"branch": "<git branch>"}`. The branch is checked out into a temporary git worktree
and its SQLMesh project is planned (unit tests included, no prompts) into a virtual environment
named after the branch, never prod; the GX suites of every validated layer run against that
environment; each changed model is `table_diff`ed against prod. The report is written to
`.local/reviews/<environment>.md` and its summary goes to XCom; `verdict` fails when the branch
breaks a quality rule. Prod's tables and snapshots are never touched.

The plan task takes the one slot of the `sqlmesh` pool (shared with the transform): SQLMesh plans
never run concurrently. One review at a time.

Connection: `warehouse`, from AIRFLOW_CONN_WAREHOUSE. Repository: ELT_REVIEW_REPO (default: this repo).
"""
from airflow.sdk import Param, dag, task

from include.airflow_tasks import review_plan, review_report, review_validate, review_verdict
from include.dag_defaults import DEFAULT_ARGS, SQLMESH_POOL, START_DATE


@dag(
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"branch": Param(type="string", minLength=1, description="the git branch to review")},
    tags=["review", "sqlmesh", "quality"],
    doc_md=__doc__,
)
def review():
    planned = task(review_plan, task_id="plan", pool=SQLMESH_POOL, multiple_outputs=False)()
    quality = task(review_validate, task_id="validate")(planned)
    summary = task(review_report, task_id="report", multiple_outputs=False)(planned, quality)
    task(review_verdict, task_id="verdict")(summary)


review()
