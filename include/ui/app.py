"""The FastAPI app behind the platform's Airflow UI views (plugins/elt_platform.py mounts it): the
platform health page, the model lineage, and the GX data docs site. Every route needs an Airflow
login (the UI's session cookie); the pages read the warehouse of the Airflow connection
`warehouse`, or the resolved settings where Airflow has none."""
from __future__ import annotations

from airflow.api_fastapi.core_api.security import requires_authenticated
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse

from include.errors import EltError
from include.paths import DATA_DOCS_DIR
from include.ui import health, lineage
from include.ui.html import page, tag
from include.warehouse.settings import Warehouse, resolve

app = FastAPI(title="ELT platform", dependencies=[Depends(requires_authenticated())],
              default_response_class=HTMLResponse)


def warehouse() -> Warehouse:
    from airflow.sdk.exceptions import AirflowNotFoundException

    from include.airflow_runtime import WAREHOUSE_CONN_ID
    from include.airflow_tasks import connection_url

    resolved = resolve()
    try:
        return Warehouse(connection_url(WAREHOUSE_CONN_ID), resolved.app, embedded=False)
    except AirflowNotFoundException:
        return resolved


def _prefix(request: Request) -> str:
    """Where the app is mounted (e.g. /elt), for links between its pages."""
    return request.scope.get("root_path", "").rstrip("/")


@app.exception_handler(EltError)
def _unavailable(request: Request, exc: EltError) -> HTMLResponse:
    return HTMLResponse(page("Unavailable", tag("p", str(exc), class_="bad")), status_code=503)


@app.get("/health")
def health_page() -> str:
    return health.render(health.platform_health(warehouse()))


@app.get("/lineage")
def lineage_index(request: Request) -> str:
    return lineage.render_index(lineage.cached(warehouse().warehouse), f"{_prefix(request)}/lineage")


@app.get("/lineage/{name}")
def lineage_model(name: str, request: Request) -> HTMLResponse:
    known = lineage.cached(warehouse().warehouse)
    prefix = f"{_prefix(request)}/lineage"
    if name not in known.models:
        return HTMLResponse(page("Unknown model", tag("p", f"{name} is not a model of the SQLMesh project."),
                                 tag("a", "All models", href=prefix)), status_code=404)
    return HTMLResponse(lineage.render_model(known, name, prefix))


@app.get("/data-docs/{path:path}", response_model=None)
def data_docs(path: str) -> FileResponse | HTMLResponse:
    """The static site GX builds (include/quality), served as is; relative links resolve under here."""
    index = DATA_DOCS_DIR / "index.html"
    if not index.is_file():
        return HTMLResponse(page("Data docs", tag("p", "No data docs yet: the quality DAG builds them when it "
                                                       "validates the warehouse.", class_="empty")))
    file = (DATA_DOCS_DIR / (path or "index.html")).resolve()
    if not file.is_relative_to(DATA_DOCS_DIR.resolve()) or not file.is_file():
        return HTMLResponse(page("Not found", tag("p", f"{path} is not part of the data docs site.")),
                            status_code=404)
    return FileResponse(file)
