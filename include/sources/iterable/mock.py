"""Iterable's API, mocked over what include/simulation/sources/iterable.py wrote.

Conventions kept from the real API: everything under /api; the key travels in an `Api-Key` header
and a bad one is answered 401 `{"msg": ..., "code": "BadApiKey", "params": null}`; the export
(`/api/export/data.json`) streams newline-delimited JSON for one dataTypeName over a date range
(`startDateTime`/`endDateTime` as "YYYY-MM-DD HH:MM:SS" UTC, or `range=All`), filtered on the
event's createdAt (a user's profileUpdatedAt); lists and campaigns come as JSON envelopes, list
members as plain text, one email per line; campaigns page with `page`/`pageSize` and
`nextPageUrl`. Timestamps look like Iterable's: "2026-11-30 10:00:00 +00:00" in exports, epoch
milliseconds on lists and campaigns.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re

from include.mock_api.framework import ApiError, Request, Response, objects, route, spoil, with_duplicate
from include.sources.api_extract import load_manifest

SOURCE = "iterable"
API_KEY = re.compile(r"^[0-9a-f]{32}$")
DATA_TYPES = {"emailSend": "email_sends", "emailOpen": "email_opens", "emailClick": "email_clicks",
              "emailBounce": "email_bounces", "emailUnSubscribe": "email_unsubscribes",
              "customEvent": "custom_events", "user": "users"}
EXPORT_CHUNK = 100          # the export streams in chunks; the duplicate fault repeats a line across them
MAX_PAGE_SIZE = 1000
# Which values the bad-values fault may spoil: the manifest's numeric and required fields (top level).
_SPOILABLE = {e.name: (tuple(p for p in e.numeric if "." not in p), tuple(p for p in e.required if "." not in p))
              for e in load_manifest(SOURCE).entities}


def _error(status: int, msg: str, code: str) -> ApiError:
    return ApiError(status, {"msg": msg, "code": code, "params": None})


def api_key_required(handler):
    """Iterable checks the key itself and answers in its own error format."""
    @functools.wraps(handler)
    def check(req: Request) -> Response:
        if not API_KEY.match(req.headers.get("api-key", "")):
            raise _error(401, "Invalid API key", "BadApiKey")
        return handler(req)
    return check


def _payloads(object_type: str, rows: list[dict]) -> list[dict]:
    numeric, required = _SPOILABLE[object_type]
    return [spoil(row["payload"], numeric, required) for row in rows]


def _time_arg(req: Request, name: str) -> dt.datetime | None:
    value = req.arg(name)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise _error(400, f"{name} must look like 2026-11-30 10:00:00", "BadParams") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


@route("GET", r"/api/export/data\.json")
@api_key_required
def export_data(req: Request) -> Response:
    object_type = DATA_TYPES.get(req.arg("dataTypeName", ""))
    if object_type is None:
        raise _error(400, f"dataTypeName must be one of {', '.join(DATA_TYPES)}", "BadParams")
    start, end = _time_arg(req, "startDateTime"), _time_arg(req, "endDateTime")
    if start is None and req.arg("range") != "All":
        raise _error(400, "Either startDateTime or range=All is required", "BadParams")
    column = "updated_at" if object_type == "users" else "created_at"    # profileUpdatedAt / createdAt
    conditions, args = [], []
    for bound, op in ((start, ">="), (end, "<")):
        if bound:
            conditions.append(f"{column} {op} %s")
            args.append(bound)
    records = _payloads(object_type, objects(SOURCE, object_type, " AND ".join(conditions), tuple(args),
                                             order=f"{column}, id"))
    fields = [f for value in req.query.get("onlyFields", []) for f in value.split(",") if f]
    lines, previous = [], None
    for i in range(0, len(records), EXPORT_CHUNK):
        chunk = with_duplicate(records[i:i + EXPORT_CHUNK], previous)
        previous = chunk[-1]
        lines += (json.dumps({k: v for k, v in r.items() if k in fields} if fields else r) for r in chunk)
    return Response(200, "".join(line + "\n" for line in lines), content_type="application/x-json-stream")


@route("GET", r"/api/lists")
@api_key_required
def get_lists(req: Request) -> Response:
    return Response(200, {"lists": _payloads("lists", objects(SOURCE, "lists", order="id"))})


@route("GET", r"/api/lists/getUsers")
@api_key_required
def get_list_users(req: Request) -> Response:
    list_id = req.arg("listId", "")
    if not list_id.isdigit() or not objects(SOURCE, "lists", "id = %s", (list_id,)):
        raise _error(400, f"List {list_id or '(missing)'} does not exist", "BadParams")
    members = objects(SOURCE, "users", "payload->'emailListIds' @> %s::jsonb", (json.dumps([int(list_id)]),),
                      order="id")
    return Response(200, "".join(m["id"] + "\n" for m in members), content_type="text/plain")


@route("GET", r"/api/campaigns")
@api_key_required
def get_campaigns(req: Request) -> Response:
    """All campaigns at once, or a page of them when `page` is given (newest id first, as Iterable sorts)."""
    rows = objects(SOURCE, "campaigns", order="(payload->>'id')::bigint DESC")
    if req.arg("page") is None:
        return Response(200, {"campaigns": _payloads("campaigns", rows)})
    try:
        page, size = int(req.arg("page")), int(req.arg("pageSize", 20))
    except ValueError:
        raise _error(400, "page and pageSize must be integers", "BadParams") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise _error(400, f"page starts at 1 and pageSize is between 1 and {MAX_PAGE_SIZE}", "BadParams")
    first = (page - 1) * size
    campaigns = _payloads("campaigns", rows[first:first + size])
    body = {"campaigns": with_duplicate(campaigns, rows[first - 1]["payload"] if page > 1 else None),
            "totalCampaignsCount": len(rows)}
    base = f"http://{req.headers.get('host', 'localhost')}/api/campaigns"
    if first + size < len(rows):
        body["nextPageUrl"] = f"{base}?page={page + 1}&pageSize={size}"
    if page > 1:
        body["previousPageUrl"] = f"{base}?page={page - 1}&pageSize={size}"
    return Response(200, body)
