"""The mock sources server: one threaded HTTP server for every external source's API.
Each source's routes live in include/sources/<source>/mock.py and are imported here."""
from __future__ import annotations

import importlib
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from include.mock_api.framework import ROUTES, Request, Response, dispatch, parse_query
from include.paths import SOURCES_DIR

DEFAULT_PORT = 8765


def port() -> int:
    return int(os.environ.get("ELT_MOCK_PORT", DEFAULT_PORT))


def load_routes() -> list[str]:
    """Import every source's mock module (include/sources/<source>/mock.py); returns those sources."""
    found = sorted(path.parent.name for path in SOURCES_DIR.glob("*/mock.py"))
    for source in found:
        importlib.import_module(f"include.sources.{source}.mock")
    return found


class Handler(BaseHTTPRequestHandler):
    server_version = "elt-mock-sources"
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK of the headers, 40 ms on every request of a kept-alive connection.
    disable_nagle_algorithm = True
    sources: list[str] = []
    app_database = ""                    # the app database it serves, password redacted

    def _handle(self) -> None:
        path, _, raw_query = self.path.partition("?")
        if self.command == "GET" and path == "/health":
            return self._send(Response(200, {"status": "ok", "sources": self.sources,
                                             "app_database": self.app_database}))
        length = int(self.headers.get("Content-Length") or 0)
        req = Request(self.command, path, parse_query(raw_query), {k.lower(): v for k, v in self.headers.items()},
                      self.rfile.read(length) if length else b"")
        self._send(dispatch(req))

    def _send(self, resp: Response) -> None:
        if isinstance(resp.body, bytes):
            data = resp.body
        elif isinstance(resp.body, str):
            data = resp.body.encode()
        else:
            data = json.dumps(resp.body, default=str).encode()
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        try:
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True    # the client gave up (its timeout): nobody to answer

    do_GET = do_POST = do_DELETE = _handle

    def log_message(self, fmt: str, *args) -> None:  # access logs are noise on the console
        pass


def serve(host: str = "127.0.0.1", listen_port: int | None = None) -> None:
    from include.warehouse.settings import resolve

    Handler.sources = load_routes()
    Handler.app_database = resolve().app.redacted   # /health says which, so `elt up` can tell servers apart
    server = ThreadingHTTPServer((host, listen_port or port()), Handler)
    server.daemon_threads = True
    print(f"mock sources listening on http://{host}:{server.server_port} ({', '.join(Handler.sources) or 'no sources'}; "
          f"{len(ROUTES)} routes)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
