"""Mock of the Google Ads API v20: `customers:listAccessibleCustomers` and `googleAds:searchStream`.

A search stream answers a GAQL query with a JSON array of batches ({"results", "fieldMask",
"requestId"}; camelCase, int64 as strings, money in micros). Only as much GAQL is read as the
objects need: the FROM resource, whether metrics are selected, and the `segments.date BETWEEN`
range. Auth is `Authorization: Bearer ya29...` plus a `developer-token` header.
"""
from __future__ import annotations

import copy
import re
import uuid

from include.mock_api.framework import ApiError, Request, Response, bearer, objects, route, spoil, with_duplicate
from include.sources.api_extract import dig, load_manifest

SOURCE = "google_ads"
API = r"/v20"
BATCH_ROWS = 10_000                      # rows per searchStream batch, as Google sends them
ENTITIES = {e.name: e for e in load_manifest(SOURCE).entities}
_oauth = bearer("ya29.")
# FROM resource -> (object type without metrics, object type with metrics)
RESOURCES = {"campaign": ("campaigns", None), "ad_group": ("ad_groups", None),
             "ad_group_ad": ("ads", "ad_performance"), "click_view": ("click_views", "click_views")}
DATED = {"ad_performance", "click_views"}
_FROM = re.compile(r"\bFROM\s+(\w+)", re.I)
_SELECT = re.compile(r"^\s*SELECT\s+(.*?)\s+FROM\b", re.I | re.S)
_BETWEEN = re.compile(r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I)


def authorized(req: Request) -> bool:
    return _oauth(req) and bool(req.headers.get("developer-token"))


def _error(status: int, code: str, message: str, detail: dict | None = None) -> ApiError:
    errors = [{"errorCode": detail or {"requestError": "UNKNOWN"}, "message": message}]
    return ApiError(status, {"error": {"code": status, "message": message, "status": code, "details": [
        {"@type": "type.googleapis.com/google.ads.googleads.v20.errors.GoogleAdsFailure", "errors": errors,
         "requestId": uuid.uuid4().hex[:22]}]}})


def _customer_ids() -> list[str]:
    return sorted({row["payload"]["customer"]["id"] for row in objects(SOURCE, "campaigns")})


@route("GET", API + r"/customers:listAccessibleCustomers", auth=authorized)
def list_accessible_customers(req: Request) -> Response:
    return Response(200, {"resourceNames": [f"customers/{cid}" for cid in _customer_ids()]})


@route("POST", API + r"/customers/(?P<customer_id>\d+)/googleAds:searchStream", auth=authorized)
def search_stream(req: Request) -> Response:
    if req.params["customer_id"] not in _customer_ids():
        raise _error(403, "PERMISSION_DENIED", "The caller does not have permission",
                     {"authorizationError": "USER_PERMISSION_DENIED"})
    query = str(req.json().get("query") or "")
    object_type, selected = _parse(query)
    where, args = "", ()
    if object_type in DATED:
        dates = _BETWEEN.search(query)
        if not dates:
            raise _error(400, "INVALID_ARGUMENT", "this query needs a finite segments.date range (BETWEEN)",
                         {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"})
        where, args = "payload->'segments'->>'date' BETWEEN %s AND %s", dates.groups()
    rows = [_spoiled(r["payload"], object_type) for r in objects(SOURCE, object_type, where, args)]
    field_mask = ",".join(_camel(f) for f in selected)
    batches, previous = [], None
    for start in range(0, len(rows), BATCH_ROWS):
        batch = with_duplicate(rows[start:start + BATCH_ROWS], previous)
        previous = batch[-1]
        batches.append({"results": batch, "fieldMask": field_mask, "requestId": uuid.uuid4().hex[:22]})
    return Response(200, batches or [{"fieldMask": field_mask, "requestId": uuid.uuid4().hex[:22]}])


def _parse(query: str) -> tuple[str, list[str]]:
    """(object type, selected fields) of a GAQL query; just enough GAQL for the objects served."""
    select, resource = _SELECT.search(query), _FROM.search(query)
    if not select or not resource:
        raise _error(400, "INVALID_ARGUMENT", "Error in query: expected SELECT ... FROM ...",
                     {"queryError": "UNEXPECTED_END_OF_QUERY"})
    fields = [f.strip() for f in select.group(1).split(",") if f.strip()]
    kinds = RESOURCES.get(resource.group(1).lower())
    object_type = kinds and kinds[any(f.startswith("metrics.") for f in fields)]
    if not object_type:
        raise _error(400, "INVALID_ARGUMENT", f"the mock serves no rows for {resource.group(1)!r} with these fields",
                     {"queryError": "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"})
    return object_type, fields


def _camel(field: str) -> str:
    return ".".join(re.sub(r"_([a-z])", lambda m: m.group(1).upper(), part) for part in field.split("."))


def _spoiled(row: dict, object_type: str) -> dict:
    """The bad-values fault on the manifest's numeric and required paths, which are nested in a
    GAQL row: spoil a flat view of them and write the change back into a copy."""
    entity = ENTITIES[object_type]
    flat = {p: dig(row, p) for p in (*entity.numeric, *entity.required) if dig(row, p) is not None}
    bad = spoil(flat, entity.numeric, entity.required)
    if bad is flat:
        return row
    row = copy.deepcopy(row)
    for path in flat:
        *parents, leaf = path.split(".")
        node = row
        for part in parents:
            node = node[part]
        if path in bad:
            node[leaf] = bad[path]
        else:
            del node[leaf]
    return row
