"""Mock of the Meta Marketing API v21.0 (Graph API) for one ad account.

Edges answer {"data": [...], "paging": {"cursors": {"before", "after"}, "next"}} (no `next` on the
last page); `limit` (default 25, at most 500) and `after` page them. Entity edges take
`filtering=[{"field": "updated_time", "operator": "GREATER_THAN", "value": <unix>}]`; insights take
`level=ad`, `time_increment=1` and `time_range={"since": "YYYY-MM-DD", "until": "YYYY-MM-DD"}`.
Numbers are strings. Auth: `access_token` query parameter or `Authorization: Bearer`.
`/act_<id>/landings` is the mock's own edge (Meta has no click-level API): the landing page's
record of each paid sign-up's click.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from urllib.parse import urlencode

from include.mock_api.framework import ApiError, Request, Response, bearer, objects, route, spoil, with_duplicate
from include.sources.api_extract import load_manifest

SOURCE = "meta_ads"
API = r"/v21\.0"
TOKEN_PREFIX = "EAAB"
MAX_LIMIT = 500
ENTITIES = {e.name: e for e in load_manifest(SOURCE).entities}
_bearer = bearer(TOKEN_PREFIX)


def authorized(req: Request) -> bool:
    token = req.arg("access_token") or ""
    return _bearer(req) or (token.startswith(TOKEN_PREFIX) and len(token) > len(TOKEN_PREFIX))


def _error(message: str, code: int = 100, status: int = 400) -> ApiError:
    return ApiError(status, {"error": {"message": message, "type": "OAuthException", "code": code,
                                       "fbtrace_id": uuid.uuid4().hex[:11]}})


@route("GET", API + r"/me/adaccounts", auth=authorized)
def ad_accounts(req: Request) -> Response:
    return _page(req, "ad_accounts")


@route("GET", API + r"/act_(?P<account>\d+)/(?P<edge>campaigns|adsets|ads)", auth=authorized)
def entities(req: Request) -> Response:
    where, args = ["payload->>'account_id' = %s"], [_account(req)]
    for rule in _json_arg(req, "filtering", []):
        if not (isinstance(rule, dict) and str(rule.get("field", "")).split(".")[-1] == "updated_time"
                and rule.get("operator") == "GREATER_THAN"):
            raise _error(f"(#100) Filtering field {rule!r} is not supported by this mock: use updated_time GREATER_THAN")
        where.append("(payload->>'updated_time')::timestamptz > to_timestamp(%s)")
        args.append(float(rule["value"]))
    return _page(req, req.params["edge"], where, args)


@route("GET", API + r"/act_(?P<account>\d+)/insights", auth=authorized)
def insights(req: Request) -> Response:
    if req.arg("level") != "ad" or req.arg("time_increment") != "1":
        raise _error("(#100) the mock serves level=ad with time_increment=1 only")
    since, until = _time_range(req)
    return _page(req, "ad_insights", ["payload->>'account_id' = %s", "payload->>'date_start' BETWEEN %s AND %s"],
                 [_account(req), since, until])


@route("GET", API + r"/act_(?P<account>\d+)/landings", auth=authorized)
def landings(req: Request) -> Response:
    _account(req)
    since, until = _time_range(req)
    return _page(req, "landings", ["left(payload->>'click_time', 10) BETWEEN %s AND %s"], [since, until])


def _account(req: Request) -> str:
    account = req.params["account"]
    if not objects(SOURCE, "ad_accounts", "id = %s", (f"act_{account}",)):
        raise _error(f"(#100) Object with ID 'act_{account}' does not exist, cannot be loaded due to missing "
                     "permissions, or does not support this operation")
    return account


def _json_arg(req: Request, name: str, default):
    raw = req.arg(name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise _error(f"(#100) param {name} must be JSON") from None


def _time_range(req: Request) -> tuple[str, str]:
    span = _json_arg(req, "time_range", None)
    try:
        since, until = dt.date.fromisoformat(span["since"]), dt.date.fromisoformat(span["until"])
    except (TypeError, KeyError, ValueError):
        raise _error('(#100) time_range must be {"since": "YYYY-MM-DD", "until": "YYYY-MM-DD"}') from None
    if since > until:
        raise _error("(#100) time_range: since must be on or before until")
    return since.isoformat(), until.isoformat()


def _cursor(row: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps([row["created_at"].isoformat(), row["id"]]).encode()).decode()


def _page(req: Request, object_type: str, where: list[str] | None = None, args: list | None = None) -> Response:
    """One page in (created_at, id) order after the `after` cursor, with Graph-style paging."""
    where, args = list(where or []), list(args or [])
    previous = None
    if after := req.arg("after"):
        try:
            created, last_id = json.loads(base64.urlsafe_b64decode(after.encode()))
        except ValueError:
            raise _error("(#100) Invalid cursor") from None
        previous = next(iter(objects(SOURCE, object_type, "id = %s", (last_id,))), None)
        where.append("(created_at, id) > (%s::timestamptz, %s)")
        args += [created, last_id]
    try:
        limit = min(max(int(req.arg("limit", 25)), 1), MAX_LIMIT)
    except ValueError:
        raise _error("(#100) limit must be a number") from None
    rows = objects(SOURCE, object_type, " AND ".join(where), tuple(args), limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    entity = ENTITIES[object_type]
    data = [spoil(r["payload"], entity.numeric, entity.required) for r in rows]
    body: dict = {"data": with_duplicate(data, previous and previous["payload"])}
    if rows:
        body["paging"] = {"cursors": {"before": _cursor(rows[0]), "after": _cursor(rows[-1])}}
        if more:
            query = {k: v[-1] for k, v in req.query.items() if k not in ("after", "access_token")}
            body["paging"]["next"] = (f"http://{req.headers.get('host', 'localhost')}{req.path}?"
                                      f"{urlencode({**query, 'after': _cursor(rows[-1])})}")
    return Response(200, body)
