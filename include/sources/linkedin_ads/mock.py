"""Mock of the LinkedIn Marketing API (versioned `/rest`, LinkedIn-Version 202411) for one ad account.

Entity finders (`adAccounts?q=search`, `adAccounts/{id}/adCampaignGroups?q=search`,
`.../adCampaigns?q=search`, `.../creatives?q=criteria`) page with `pageSize` and `pageToken` and
answer {"elements": [...], "metadata": {"nextPageToken"}} (no token on the last page).
`adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY&dateRange=(start:(...),end:(...))`
has no paging: at most 15,000 elements, a wider query is refused. Query values use Rest.li 2.0
syntax (`List(...)`, `(key:value)`), so the headers `LinkedIn-Version` and
`X-Restli-Protocol-Version: 2.0.0` are required. `adAccounts/{id}/landings?q=dateRange` is the
mock's own finder (LinkedIn has no click-level API): each paid sign-up's click as the landing page kept it.
"""
from __future__ import annotations

import base64
import json
import re

from include.mock_api.framework import ApiError, Request, Response, bearer, objects, route, spoil, with_duplicate
from include.sources.api_extract import load_manifest

SOURCE = "linkedin_ads"
API = r"/rest"
MAX_PAGE_SIZE = 1000
MAX_ANALYTICS_ELEMENTS = 15_000
ENTITIES = {e.name: e for e in load_manifest(SOURCE).entities}
_DATE = r"\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\)"
_DATE_RANGE = re.compile(rf"^\(start:{_DATE}(?:,end:{_DATE})?\)$")
_ACCOUNT_URN = re.compile(r"urn:li:sponsoredAccount:(\d+)")


def _error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"status": status, "code": code, "message": message})


def _checked(req: Request) -> None:
    if not req.headers.get("linkedin-version"):
        raise _error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the "
                                             "LinkedIn-Version header.")
    if req.headers.get("x-restli-protocol-version") != "2.0.0":
        raise _error(400, "ILLEGAL_ARGUMENT", "Rest.li 2.0 syntax needs X-Restli-Protocol-Version: 2.0.0")


def _finder(req: Request, name: str) -> None:
    _checked(req)
    if req.arg("q") != name:
        raise _error(400, "ILLEGAL_ARGUMENT", f"this resource has the finder q={name}")


@route("GET", API + r"/adAccounts", auth=bearer("AQV"))
def ad_accounts(req: Request) -> Response:
    _finder(req, "search")
    return _page(req, "ad_accounts")


@route("GET", API + r"/adAccounts/(?P<account>\d+)/(?P<resource>adCampaignGroups|adCampaigns|creatives)",
       auth=bearer("AQV"))
def account_entities(req: Request) -> Response:
    resource = req.params["resource"]
    _finder(req, "criteria" if resource == "creatives" else "search")
    object_type = {"adCampaignGroups": "campaign_groups", "adCampaigns": "campaigns", "creatives": "creatives"}[resource]
    return _page(req, object_type, ["payload->>'account' = %s"], [_account_urn(req.params["account"])])


@route("GET", API + r"/adAccounts/(?P<account>\d+)/landings", auth=bearer("AQV"))
def landings(req: Request) -> Response:
    _finder(req, "dateRange")
    start, end = _date_range(req)
    return _page(req, "landings", ["payload->>'account' = %s", "to_timestamp((payload->>'clickedAt')::bigint / 1000.0)"
                                   "::date BETWEEN %s AND %s"], [_account_urn(req.params["account"]), start, end])


@route("GET", API + r"/adAnalytics", auth=bearer("AQV"))
def ad_analytics(req: Request) -> Response:
    _finder(req, "analytics")
    if req.arg("pivot") != "CREATIVE" or req.arg("timeGranularity") != "DAILY":
        raise _error(400, "ILLEGAL_ARGUMENT", "the mock serves pivot=CREATIVE with timeGranularity=DAILY")
    start, end = _date_range(req)
    accounts = [_account_urn(a) for a in _ACCOUNT_URN.findall(req.arg("accounts") or "")]
    if not accounts:
        raise _error(400, "ILLEGAL_ARGUMENT", "accounts=List(urn:li:sponsoredAccount:<id>) is required")
    creatives = [r["id"] for r in objects(SOURCE, "creatives", "payload->>'account' = ANY(%s)", (accounts,))]
    day = "make_date(({d}->>'year')::int, ({d}->>'month')::int, ({d}->>'day')::int)".format(
        d="(payload#>'{dateRange,start}')")
    rows = objects(SOURCE, "creative_analytics", f"payload->'pivotValues'->>0 = ANY(%s) AND {day} BETWEEN %s AND %s",
                   (creatives, start, end), limit=MAX_ANALYTICS_ELEMENTS + 1)
    if len(rows) > MAX_ANALYTICS_ELEMENTS:
        raise _error(400, "ILLEGAL_ARGUMENT", f"the query would return more than {MAX_ANALYTICS_ELEMENTS} elements; "
                                              "narrow the dateRange")
    entity = ENTITIES["creative_analytics"]
    return Response(200, {"elements": [spoil(r["payload"], entity.numeric, entity.required) for r in rows]})


def _account_urn(account_id: str) -> str:
    if not objects(SOURCE, "ad_accounts", "id = %s", (account_id,)):
        raise _error(403, "ACCESS_DENIED", f"Not enough permissions to access account {account_id}")
    return f"urn:li:sponsoredAccount:{account_id}"


def _date_range(req: Request) -> tuple[str, str]:
    match = _DATE_RANGE.match(req.arg("dateRange") or "")
    if not match:
        raise _error(400, "ILLEGAL_ARGUMENT", "dateRange must be (start:(year:Y,month:M,day:D),end:(year:Y,month:M,day:D))")
    y1, m1, d1, y2, m2, d2 = match.groups()
    start = f"{int(y1):04d}-{int(m1):02d}-{int(d1):02d}"
    return start, (f"{int(y2):04d}-{int(m2):02d}-{int(d2):02d}" if y2 else "9999-12-31")


def _token(row: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps([row["created_at"].isoformat(), row["id"]]).encode()).decode()


def _page(req: Request, object_type: str, where: list[str] | None = None, args: list | None = None) -> Response:
    """One page in (created_at, id) order after `pageToken`, with LinkedIn's cursor metadata."""
    where, args = list(where or []), list(args or [])
    previous = None
    if token := req.arg("pageToken"):
        try:
            created, last_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        except ValueError:
            raise _error(400, "ILLEGAL_ARGUMENT", "invalid pageToken") from None
        previous = next(iter(objects(SOURCE, object_type, "id = %s", (last_id,))), None)
        where.append("(created_at, id) > (%s::timestamptz, %s)")
        args += [created, last_id]
    try:
        size = min(max(int(req.arg("pageSize", 100)), 1), MAX_PAGE_SIZE)
    except ValueError:
        raise _error(400, "ILLEGAL_ARGUMENT", "pageSize must be a number") from None
    rows = objects(SOURCE, object_type, " AND ".join(where), tuple(args), limit=size + 1)
    more, rows = len(rows) > size, rows[:size]
    entity = ENTITIES[object_type]
    elements = [spoil(r["payload"], entity.numeric, entity.required) for r in rows]
    metadata = {"nextPageToken": _token(rows[-1])} if more else {}
    return Response(200, {"elements": with_duplicate(elements, previous and previous["payload"]), "metadata": metadata})
