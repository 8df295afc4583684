"""What every mock source API shares: routing with auth, the objects the simulator wrote
(`sim.api_objects` in the app database), cursor paging, and injectable faults.

A source registers its routes in `include/sources/<source>/mock.py`:

    @route("GET", r"/v1/customers", auth=bearer("sk_test_"))
    def list_customers(req: Request) -> Response: ...

Faults come from ELT_MOCK_FAULTS (JSON, e.g. {"rate_limit": 0.1, "server_error": 0.05,
"timeout": 0.02, "truncate": 0.05, "duplicate": 0.2, "bad_values": 0.01}) or at run time from
`POST /_admin/faults`. Each is a probability per request (duplicate: per page, bad_values: per
record); the random stream is seeded (`seed`, default 7) so a faulty run is reproducible.
"""
from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs

FAULT_KINDS = ("rate_limit", "server_error", "timeout", "truncate", "duplicate", "bad_values")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route pattern

    def arg(self, name: str, default: Any = None) -> Any:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            raise ApiError(400, {"error": {"message": "request body is not valid JSON"}}) from None


@dataclass
class Response:
    status: int = 200
    body: Any = None                     # JSON-serialisable, or bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class ApiError(Exception):
    """Raised by a handler to answer with an error body in the source's own format."""

    def __init__(self, status: int, body: Any, headers: dict | None = None):
        super().__init__(status)
        self.response = Response(status, body, headers or {})


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable[[Request], Response]
    auth: Callable[[Request], bool] | None


ROUTES: list[Route] = []


def route(method: str, pattern: str, *, auth: Callable[[Request], bool] | None = None):
    def register(handler):
        ROUTES.append(Route(method, re.compile(pattern), handler, auth))
        return handler
    return register


def bearer(prefix: str) -> Callable[[Request], bool]:
    """`Authorization: Bearer <key>` whose key starts with the source's prefix (sk_test_, pat-...)."""
    def check(req: Request) -> bool:
        value = req.headers.get("authorization", "")
        return value.startswith("Bearer ") and value[7:].startswith(prefix) and len(value) > 7 + len(prefix)
    return check


def header(name: str) -> Callable[[Request], bool]:
    """A non-empty API key header (Iterable's `Api-Key`)."""
    return lambda req: bool(req.headers.get(name.lower()))


# -- faults ------------------------------------------------------------------------------------

class Faults:
    """Fault probabilities, changeable while the server runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(json.loads(os.environ.get("ELT_MOCK_FAULTS") or "{}"))

    def configure(self, settings: dict) -> dict:
        unknown = set(settings) - set(FAULT_KINDS) - {"seed", "timeout_seconds"}
        if unknown:
            raise ApiError(400, {"error": f"unknown fault settings {sorted(unknown)}; known: {FAULT_KINDS}"})
        with self._lock:
            self.rates = {kind: float(settings.get(kind, 0.0)) for kind in FAULT_KINDS}
            self.timeout_seconds = float(settings.get("timeout_seconds", 5.0))
            self._rng = random.Random(int(settings.get("seed", 7)))
        return self.settings()

    def settings(self) -> dict:
        return {**self.rates, "timeout_seconds": self.timeout_seconds}

    def fires(self, kind: str) -> bool:
        rate = self.rates[kind]
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate


FAULTS = Faults()


# -- data --------------------------------------------------------------------------------------

_local = threading.local()


def db():
    """This thread's connection to the app database, where the simulator keeps the objects."""
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        from include.warehouse.connect import connect
        from include.warehouse.settings import resolve

        conn = connect(resolve().app, autocommit=True)
        _local.conn = conn
    return conn


def objects(source: str, object_type: str, where: str = "", args: tuple = (), order: str = "created_at, id",
            limit: int | None = None) -> list[dict]:
    """Rows of sim.api_objects as dicts (id, created_at, updated_at, deleted, payload)."""
    sql = (f"SELECT id, created_at, updated_at, deleted, payload FROM sim.api_objects "
           f"WHERE source = %s AND object_type = %s {('AND ' + where) if where else ''} ORDER BY {order}"
           + (f" LIMIT {int(limit)}" if limit else ""))
    cur = db().execute(sql, (source, object_type, *args))
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def with_duplicate(page: list, previous_item: Any) -> list:
    """The duplicate-across-pages fault: the last item of the previous page comes again."""
    if previous_item is not None and FAULTS.fires("duplicate"):
        return [previous_item, *page]
    return page


def spoil(payload: dict, numeric_fields: tuple[str, ...], required_fields: tuple[str, ...]) -> dict:
    """The bad-values fault: a number sent as a non-numeric string, or a required field missing."""
    if not FAULTS.fires("bad_values"):
        return payload
    spoiled = dict(payload)
    present_numbers = [f for f in numeric_fields if f in spoiled]
    if present_numbers and (not required_fields or FAULTS.fires("bad_values")):
        spoiled[present_numbers[0]] = "N/A"
    elif required_fields:
        spoiled.pop(required_fields[0], None)
    return spoiled


def unix(ts) -> int:
    return int(ts.timestamp())


def dispatch(req: Request) -> Response:
    """Route, authenticate, inject faults, run the handler."""
    if req.path == "/_admin/faults":
        if req.method == "POST":
            return Response(200, FAULTS.configure(req.json()))
        return Response(200, FAULTS.settings())
    for r in ROUTES:
        match = r.pattern.fullmatch(req.path)
        if r.method != req.method or not match:
            continue
        if r.auth and not r.auth(req):
            return Response(401, {"error": {"message": "missing or invalid credentials", "type": "authentication"}})
        if FAULTS.fires("rate_limit"):
            return Response(429, {"error": {"message": "rate limit exceeded", "type": "rate_limit"}},
                            {"Retry-After": "1"})
        if FAULTS.fires("server_error"):
            return Response(503, {"error": {"message": "service unavailable (injected)"}})
        if FAULTS.fires("timeout"):
            time.sleep(FAULTS.timeout_seconds)
        req.params = match.groupdict()
        try:
            resp = r.handler(req)
        except ApiError as err:
            return err.response
        if FAULTS.fires("truncate"):
            body = resp.body if isinstance(resp.body, (bytes, str)) else json.dumps(resp.body, default=str)
            data = body.encode() if isinstance(body, str) else body
            cut = max(1, len(data) // 2)
            if data[cut - 1:cut] == b"\n" and cut > 2:  # a cut at a line end would leave valid NDJSON:
                cut -= 2  # take the last line's closing character too
            resp = Response(resp.status, data[:cut], resp.headers, resp.content_type)
        return resp
    return Response(404, {"error": {"message": f"no route for {req.method} {req.path}"}})


def parse_query(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)
