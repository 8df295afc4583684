"""The ELT platform's views in the Airflow UI: platform health, model lineage and the GX data docs.

Wiring only: include/ui/app.py serves the pages under /elt, and each view is an entry of the UI's
Plugins menu that shows one of them. Every Airflow component imports this module, so it imports
nothing but Airflow's plugin base; the app (FastAPI, SQLMesh, the warehouse) loads on its first
request, in the API server."""
from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/elt"


class _AppOnFirstRequest:
    """An ASGI app that imports include.ui.app when the API server first routes a request to it."""

    def __init__(self):
        self._app = None

    async def __call__(self, scope, receive, send):
        if self._app is None:
            from include.ui.app import app

            self._app = app
        await self._app(scope, receive, send)


def _view(name: str, path: str, route: str) -> dict:
    return {"name": name, "href": f"{URL_PREFIX}{path}", "url_route": route, "destination": "nav"}


class EltPlatformPlugin(AirflowPlugin):
    name = "elt_platform"
    fastapi_apps = [{"app": _AppOnFirstRequest(), "url_prefix": URL_PREFIX, "name": "ELT platform"}]
    external_views = [
        _view("Platform health", "/health", "elt-health"),
        _view("Model lineage", "/lineage", "elt-lineage"),
        _view("Data docs", "/data-docs/index.html", "elt-data-docs"),
    ]
