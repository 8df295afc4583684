"""HubSpot's CRM API (v3, associations v4), mocked over what include/simulation/sources/hubspot.py wrote.

Conventions kept from the real API: a private app token (`Authorization: Bearer pat-...`), and
HubSpot's error body `{"status": "error", "message", "correlationId", "category"}` (401
INVALID_AUTHENTICATION, 400 VALIDATION_ERROR, 404 OBJECT_NOT_FOUND); objects as `{"id": "<digits>",
"properties": {...strings...}, "createdAt", "updatedAt", "archived"}` with only the default
properties unless `properties` names others; listings page with `limit` (<= 100) and an opaque
`after` cursor under `paging.next` (with a `link`); `archived=true` lists archived objects only;
search (`POST .../search`) filters with `filterGroups` (OR of ANDed filters, epoch-millisecond
dates), takes one sort, `limit` <= 200, pages by offset and answers 400 past 10,000 results (the
cap is ELT_MOCK_HUBSPOT_SEARCH_CAP, so tests can make it small); search never returns archived
objects nor associations, which come from the v4 association endpoints.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from include.mock_api.framework import ApiError, Request, Response, db, objects, route, spoil, with_duplicate
from include.simulation.sources.hubspot import (ASSOCIATIONS, PROPERTIES, SOURCE, created_property,
                                                modified_property)

TOKEN_PREFIX = "pat-"
OBJECT_TYPES = "|".join(PROPERTIES)
PIPELINE_TYPES = {"deals": "deal_pipelines", "tickets": "ticket_pipelines"}
MAX_LIST_LIMIT, MAX_SEARCH_LIMIT, MAX_OWNERS_LIMIT, MAX_BATCH_INPUTS = 100, 200, 500, 1000
DEFAULT_PROPERTIES = {
    "companies": ("domain", "name"), "contacts": ("email", "firstname", "lastname"),
    "deals": ("amount", "closedate", "dealname", "dealstage", "pipeline"),
    "products": ("description", "name", "price"),
    "line_items": ("amount", "hs_product_id", "name", "price", "quantity"),
    "tickets": ("content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject"),
}
FIELD_TYPES = {"string": "text", "number": "number", "datetime": "date", "enumeration": "select",
               "bool": "booleancheckbox"}
OPERATORS = {"EQ": "=", "NEQ": "<>", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}


def _error(status: int, message: str, category: str) -> ApiError:
    return ApiError(status, {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
                             "category": category})


def _invalid(message: str) -> ApiError:
    return _error(400, message, "VALIDATION_ERROR")


def hubspot(method: str, pattern: str):
    """A route that checks the private app token itself, to answer in HubSpot's error format."""
    def register(handler):
        @functools.wraps(handler)
        def guarded(req: Request) -> Response:
            value = req.headers.get("authorization", "")
            if not (value.startswith("Bearer " + TOKEN_PREFIX) and len(value) > len("Bearer " + TOKEN_PREFIX)):
                raise _error(401, "Authentication credentials not found. This API supports OAuth 2.0 authentication "
                                  "and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
                                  "oauth-overview", "INVALID_AUTHENTICATION")
            return handler(req)
        return route(method, pattern)(guarded)
    return register


@lru_cache
def _spoilable(entity: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """(nested under properties?, numeric names, required names) the bad-values fault may spoil."""
    from include.sources.api_extract import load_manifest

    spec = next((e for e in load_manifest(SOURCE).entities if e.name == entity), None)
    paths = (spec.numeric + spec.required) if spec else ()
    nested = bool(paths) and all(p.startswith("properties.") for p in paths)
    strip = (lambda p: p.removeprefix("properties.")) if nested else (lambda p: p)
    return nested, tuple(map(strip, spec.numeric if spec else ())), tuple(map(strip, spec.required if spec else ()))


def _spoiled(entity: str, record: dict) -> dict:
    nested, numeric, required = _spoilable(entity)
    if not nested:
        return spoil(record, numeric, required)
    props = spoil(record["properties"], numeric, required)
    return record if props is record["properties"] else {**record, "properties": props}


def _object_type(req: Request) -> str:
    object_type = req.params["type"]
    if object_type not in PROPERTIES:
        raise _invalid(f"Unable to infer object type from: {object_type}")
    return object_type


def _requested(values: list[str] | None) -> list[str]:
    """A multi-valued query parameter, sent repeated or comma-separated."""
    return [name for value in values or () for name in value.split(",") if name]


def _render(object_type: str, row: dict, properties: list[str] | None, associations: list[str] = ()) -> dict:
    """An object as the API returns it: the requested (or default) properties, plus the system ones."""
    doc = row["payload"]
    defined = PROPERTIES[object_type]
    wanted = dict.fromkeys(["hs_object_id", created_property(object_type), modified_property(object_type),
                            *(properties or DEFAULT_PROPERTIES.get(object_type, ("hs_timestamp",)))])
    out = {"id": doc["id"], "properties": {n: doc["properties"].get(n) for n in wanted if n in defined},
           "createdAt": doc["createdAt"], "updatedAt": doc["updatedAt"], "archived": doc["archived"]}
    if "archivedAt" in doc:
        out["archivedAt"] = doc["archivedAt"]
    links = {to: {"results": [{"id": str(a["toObjectId"]), "type": f"{_singular(object_type)}_to_{_singular(to)}"}
                              for a in doc.get("associations", {}).get(to, [])]} for to in associations}
    if links := {to: v for to, v in links.items() if v["results"]}:
        out["associations"] = links
    return out


def _singular(object_type: str) -> str:
    return "company" if object_type == "companies" else object_type.removesuffix("s")


def _int_arg(req: Request, name: str, default: int, maximum: int) -> int:
    try:
        value = int(req.arg(name, default))
    except ValueError:
        raise _invalid(f"{name} must be a whole number") from None
    if not 1 <= value <= maximum:
        raise _invalid(f"{name} must be between 1 and {maximum}")
    return value


def _keyset_page(req: Request, object_type: str, where: str, args: tuple, maximum: int, default_limit: int,
                 render) -> dict:
    """A listing page: objects after the `after` cursor (the last id of the previous page), by id."""
    limit = _int_arg(req, "limit", default_limit, maximum)
    after = req.arg("after")
    if after is not None and not after.isdigit():
        raise _invalid(f"after must be a cursor from paging.next.after, not {after!r}")
    bound = " AND (id)::bigint > %s" if after else ""
    rows = objects(SOURCE, object_type, where + bound, (*args, *((int(after),) if after else ())),
                   order="(id)::bigint", limit=limit + 1)
    previous = objects(SOURCE, object_type, "id = %s", (after,)) if after else []
    page = with_duplicate([render(r) for r in rows[:limit]], render(previous[0]) if previous else None)
    body = {"results": page}
    if len(rows) > limit:
        cursor = rows[limit - 1]["id"]
        link = f"http://{req.headers.get('host', '')}{req.path}?after={cursor}"
        body["paging"] = {"next": {"after": cursor, "link": link}}
    return body


# -- CRM objects ----------------------------------------------------------------------------------------

@hubspot("GET", rf"/crm/v3/objects/(?P<type>{OBJECT_TYPES})")
def list_objects(req: Request) -> Response:
    object_type = _object_type(req)
    archived = (req.arg("archived", "false") or "false").lower() == "true"
    properties, associations = _requested(req.query.get("properties")), _requested(req.query.get("associations"))

    def render(row):
        return _spoiled(object_type, _render(object_type, row, properties, associations))

    return Response(200, _keyset_page(req, object_type, "deleted = %s", (archived,), MAX_LIST_LIMIT, 10, render))


@hubspot("GET", rf"/crm/v3/objects/(?P<type>{OBJECT_TYPES})/(?P<id>\d+)")
def read_object(req: Request) -> Response:
    object_type = _object_type(req)
    archived = (req.arg("archived", "false") or "false").lower() == "true"
    rows = objects(SOURCE, object_type, "id = %s AND deleted = %s", (req.params["id"], archived))
    if not rows:
        raise _error(404, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND")
    return Response(200, _render(object_type, rows[0], _requested(req.query.get("properties")),
                                 _requested(req.query.get("associations"))))


@hubspot("POST", rf"/crm/v3/objects/(?P<type>{OBJECT_TYPES})/search")
def search(req: Request) -> Response:
    object_type = _object_type(req)
    body = req.json()
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise _invalid(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
    after = str(body.get("after") or "0")
    if not after.isdigit():
        raise _invalid(f"after must be a number, not {after!r}")
    offset, cap = int(after), int(os.environ.get("ELT_MOCK_HUBSPOT_SEARCH_CAP") or 10_000)
    if offset >= cap:
        raise _invalid(f"Cannot page beyond {cap} results. Narrow the search with filters.")
    where, args = _filter_groups(object_type, body.get("filterGroups") or [])
    order = _sort(object_type, body.get("sorts") or [])
    sql = (f"FROM sim.api_objects WHERE source = %s AND object_type = %s AND NOT deleted AND ({where})")
    conn = db()
    total = conn.execute(f"SELECT count(*) {sql}", (SOURCE, object_type, *args)).fetchone()[0]
    start = max(0, offset - 1)                   # the row before the page, for the duplicate fault
    cur = conn.execute(f"SELECT id, created_at, updated_at, deleted, payload {sql} ORDER BY {order} "
                       f"OFFSET %s LIMIT %s", (SOURCE, object_type, *args, start, min(limit, cap - offset) + 1))
    rows = [dict(zip([c.name for c in cur.description], row)) for row in cur.fetchall()]
    previous = rows.pop(0) if offset and rows else None
    rows = rows[:min(limit, cap - offset)]
    properties = body.get("properties") or None

    def render(r):
        return _spoiled(object_type, _render(object_type, r, properties))

    out = {"total": total, "results": with_duplicate([render(r) for r in rows], render(previous) if previous else None)}
    if offset + len(rows) < total:
        out["paging"] = {"next": {"after": str(offset + len(rows))}}
    return Response(200, out)


def _column(object_type: str, name: str) -> tuple[str, str]:
    """(SQL expression, property type) of a property a filter or sort names."""
    if name == "hs_object_id":
        return "(id)::bigint", "number"
    if name == modified_property(object_type):
        return "updated_at", "datetime"
    if name == created_property(object_type):
        return "created_at", "datetime"
    kind = PROPERTIES[object_type].get(name)
    if kind is None:
        raise _invalid(f"There was a problem with the request: property {name!r} does not exist on {object_type}")
    text = f"(payload->'properties'->>'{name}')"          # name is a defined property: safe to inline
    return {"number": f"{text}::numeric", "datetime": f"{text}::timestamptz"}.get(kind, text), kind


def _value(kind: str, raw):
    """A filter value: numbers as numbers, dates as epoch milliseconds (or ISO text), the rest as text."""
    try:
        if kind == "number":
            return Decimal(str(raw))
        if kind == "datetime":
            text = str(raw)
            if text.lstrip("-").isdigit():
                return dt.datetime.fromtimestamp(int(text) / 1000, dt.timezone.utc)
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (InvalidOperation, ValueError, OverflowError):
        raise _invalid(f"{raw!r} is not a valid {kind} value") from None
    return str(raw)


def _filter_groups(object_type: str, groups: list) -> tuple[str, tuple]:
    """filterGroups -> SQL: the groups are ORed, the filters within a group ANDed."""
    if len(groups) > 5 or sum(len(g.get("filters") or []) for g in groups) > 18:
        raise _invalid("At most 5 filterGroups with 18 filters in total")
    clauses, args = [], []
    for group in groups:
        parts = []
        for f in group.get("filters") or []:
            expr, kind = _column(object_type, f.get("propertyName", ""))
            op = f.get("operator")
            if op in OPERATORS:
                parts.append(f"{expr} {OPERATORS[op]} %s")
                args.append(_value(kind, f.get("value")))
            elif op == "BETWEEN":
                parts.append(f"{expr} BETWEEN %s AND %s")
                args += [_value(kind, f.get("value")), _value(kind, f.get("highValue"))]
            elif op in ("IN", "NOT_IN"):
                parts.append(f"{'NOT ' if op == 'NOT_IN' else ''}{expr} = ANY(%s)")
                args.append([_value(kind, v) for v in f.get("values") or []])
            elif op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
                parts.append(f"{expr} IS {'NOT ' if op == 'HAS_PROPERTY' else ''}NULL")
            else:
                raise _invalid(f"Unsupported filter operator {op!r}")
        clauses.append("(" + (" AND ".join(parts) or "true") + ")")
    return " OR ".join(clauses) or "true", tuple(args)


def _sort(object_type: str, sorts: list) -> str:
    if len(sorts) > 1:
        raise _invalid("Only one sort is supported")
    if not sorts:
        return "(id)::bigint"
    sort = sorts[0]
    if isinstance(sort, str):                    # "name" or "-name"
        sort = {"propertyName": sort.lstrip("-"), "direction": "DESCENDING" if sort.startswith("-") else "ASCENDING"}
    direction = "DESC" if sort.get("direction") == "DESCENDING" else "ASC"
    expr, _ = _column(object_type, sort.get("propertyName", ""))
    return f"{expr} {direction} NULLS LAST, (id)::bigint {direction}"


@hubspot("GET", rf"/crm/v3/properties/(?P<type>{OBJECT_TYPES})")
def list_properties(req: Request) -> Response:
    object_type = _object_type(req)
    custom = ("app_", "order_status")
    return Response(200, {"results": [
        {"name": name, "label": name.replace("_", " ").title(), "type": kind, "fieldType": FIELD_TYPES[kind],
         "groupName": f"{_singular(object_type)}information", "hubspotDefined": not name.startswith(custom),
         "calculated": False, "hidden": False, "archived": False}
        for name, kind in PROPERTIES[object_type].items()]})


# -- owners and pipelines ---------------------------------------------------------------------------------

@hubspot("GET", r"/crm/v3/owners/?")
def list_owners(req: Request) -> Response:
    archived = (req.arg("archived", "false") or "false").lower() == "true"
    where, args = "deleted = %s", (archived,)
    if email := req.arg("email"):
        where, args = where + " AND payload->>'email' = %s", (*args, email)
    return Response(200, _keyset_page(req, "owners", where, args, MAX_OWNERS_LIMIT, 100,
                                      lambda r: _spoiled("owners", r["payload"])))


@hubspot("GET", r"/crm/v3/pipelines/(?P<type>deals|tickets)")
def list_pipelines(req: Request) -> Response:
    rows = objects(SOURCE, PIPELINE_TYPES[req.params["type"]], "NOT deleted", order="created_at, id")
    return Response(200, {"results": [r["payload"] for r in rows]})


@hubspot("GET", r"/crm/v3/pipelines/(?P<type>deals|tickets)/(?P<id>[\w-]+)")
def read_pipeline(req: Request) -> Response:
    rows = objects(SOURCE, PIPELINE_TYPES[req.params["type"]], "id = %s AND NOT deleted", (req.params["id"],))
    if not rows:
        raise _error(404, f"Unable to find pipeline {req.params['id']}", "OBJECT_NOT_FOUND")
    return Response(200, rows[0]["payload"])


# -- associations (v4) ------------------------------------------------------------------------------------

def _links(object_type: str, to_type: str, ids: list[str]) -> dict[str, list[dict]]:
    """id -> the v4 association entries to `to_type` of each live object asked for."""
    if object_type not in PROPERTIES or to_type not in PROPERTIES:
        raise _invalid(f"Unknown object type in {object_type} -> {to_type}")
    if to_type not in ASSOCIATIONS.get(object_type, {}):
        return {}
    rows = objects(SOURCE, object_type, "id = ANY(%s) AND NOT deleted", (ids,))
    return {r["id"]: r["payload"].get("associations", {}).get(to_type, []) for r in rows}


@hubspot("GET", r"/crm/v4/objects/(?P<type>\w+)/(?P<id>\d+)/associations/(?P<to>\w+)")
def object_associations(req: Request) -> Response:
    links = _links(req.params["type"], req.params["to"], [req.params["id"]])
    return Response(200, {"results": links.get(req.params["id"], [])})


@hubspot("POST", r"/crm/v4/associations/(?P<type>\w+)/(?P<to>\w+)/batch/read")
def batch_read_associations(req: Request) -> Response:
    inputs = [str(i.get("id", "")) for i in (req.json().get("inputs") or [])]
    if len(inputs) > MAX_BATCH_INPUTS:
        raise _invalid(f"At most {MAX_BATCH_INPUTS} inputs per batch")
    links = _links(req.params["type"], req.params["to"], inputs)
    found = [i for i in dict.fromkeys(inputs) if links.get(i)]
    missing = [i for i in dict.fromkeys(inputs) if not links.get(i)]
    now = dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    body = {"status": "COMPLETE", "results": [{"from": {"id": i}, "to": links[i]} for i in found],
            "startedAt": now, "completedAt": now}
    if missing:
        body |= {"numErrors": len(missing), "errors": [
            {"status": "error", "category": "OBJECT_NOT_FOUND", "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
             "message": f"No {_singular(req.params['to'])} is associated with {_singular(req.params['type'])} {i}.",
             "context": {"fromObjectId": [i]}} for i in missing]}
    return Response(207 if missing else 200, body)
