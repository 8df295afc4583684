"""One threaded HTTP server with a route family per external source. Sources register their
routes in ROUTES; `/health` answers for the process itself (used by `elt up` and compose)."""
from __future__ import annotations

import json
import os
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

DEFAULT_PORT = 8765
# (method, path regex) -> handler(request) returning (status, headers, body bytes)
ROUTES: dict[tuple[str, re.Pattern], Callable] = {}


def port() -> int:
    return int(os.environ.get("ELT_MOCK_PORT", DEFAULT_PORT))


class Handler(BaseHTTPRequestHandler):
    server_version = "elt-mock-sources"

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        if method == "GET" and path == "/health":
            return self._send(200, {"status": "ok", "sources": sorted({p.pattern.split("/")[1] for _, p in ROUTES})})
        for (route_method, pattern), handler in ROUTES.items():
            if route_method == method and pattern.fullmatch(path):
                status, headers, body = handler(self)
                return self._send(status, body, headers)
        return self._send(404, {"error": {"message": f"no route for {method} {path}"}})

    def _send(self, status: int, body, headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def log_message(self, fmt: str, *args) -> None:  # keep the console quiet; access logs are noise here
        pass


def serve(host: str = "127.0.0.1", listen_port: int | None = None) -> None:
    server = ThreadingHTTPServer((host, listen_port or port()), Handler)
    print(f"mock sources listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
