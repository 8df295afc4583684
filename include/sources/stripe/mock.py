"""Mock of the Stripe API, pinned to one API version (API_VERSION, sent back as `Stripe-Version`).

- `GET /v1/<resource>`: {"object": "list", "url", "has_more", "data"}, newest first (created, then
  id, descending); `limit` (default 10, 1 to 100), `starting_after` / `ending_before` (an object
  id), `created[gt|gte|lt|lte]` (unix seconds) and the resource's own filters (FILTERS).
  Subscriptions leave out canceled ones unless `status` says otherwise (`status=all`); customers
  leave out deleted ones.
- `GET /v1/<resource>/<id>`: one object; a deleted customer is {"id", "object": "customer", "deleted": true}.
- `/v1/events` keeps 30 days of the simulated clock and filters on `type` (`*` wildcards) and `types[]`.
- `expand[]` (`data.<field>` on lists) replaces ids with the objects, one level deep.
- Auth: `Authorization: Bearer sk_test_...`, or HTTP basic with the key as user name.
- Errors: {"error": {"type": "invalid_request_error", "message", "code", "param"}}.
"""
from __future__ import annotations

import base64
import binascii
import re
import uuid

from include.mock_api.framework import ApiError, Request, Response, db, objects, route, spoil, with_duplicate
from include.simulation.sources.stripe import API_VERSION
from include.sources.api_extract import load_manifest
from include.sources.credentials import auth_spec

SOURCE = "stripe"
KEY_PREFIX = auth_spec(SOURCE)["key_prefix"]
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
RETAINED = "created_at > (SELECT clock FROM sim.state) - interval '30 days'"   # events Stripe still holds

# query parameter -> the payload value it must equal, per resource
FILTERS = {
    "customers": {"email": "payload->>'email'"},
    "products": {"active": "payload->>'active'"},
    "prices": {"active": "payload->>'active'", "product": "payload->>'product'", "currency": "payload->>'currency'",
               "type": "payload->>'type'"},
    "coupons": {},
    "subscriptions": {"customer": "payload->>'customer'"},
    "invoices": {"customer": "payload->>'customer'", "status": "payload->>'status'",
                 "subscription": "payload->'parent'->'subscription_details'->>'subscription'"},
    "invoice_payments": {"invoice": "payload->>'invoice'", "status": "payload->>'status'"},
    "charges": {"customer": "payload->>'customer'", "payment_intent": "payload->>'payment_intent'"},
    "refunds": {"charge": "payload->>'charge'", "payment_intent": "payload->>'payment_intent'"},
    "events": {},
}
RESOURCE = r"(?P<resource>" + "|".join(FILTERS) + ")"
OBJECT_NAMES = {"customers": "customer", "products": "product", "prices": "price", "coupons": "coupon",
                "subscriptions": "subscription", "invoices": "invoice", "invoice_payments": "invoice payment",
                "charges": "charge", "refunds": "refund", "events": "event"}
ID_PREFIXES = (("inpay_", "invoice_payments"), ("cus_", "customers"), ("sub_", "subscriptions"), ("in_", "invoices"),
               ("ch_", "charges"), ("re_", "refunds"), ("di_", "discounts"), ("price_", "prices"),
               ("prod_", "products"), ("evt_", "events"))
# the bad-values fault touches the top-level fields the manifest checks
CHECKED = {e.name: (tuple(f for f in e.numeric if "." not in f), tuple(f for f in e.required if "." not in f))
           for e in load_manifest(SOURCE).entities}


def _error(status: int, message: str, code: str | None = None, param: str | None = None,
           kind: str = "invalid_request_error") -> ApiError:
    body = {"type": kind, "message": message}
    if code:
        body |= {"code": code, "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"}
    if param:
        body["param"] = param
    return ApiError(status, {"error": body}, _headers())


def _headers() -> dict[str, str]:
    return {"Stripe-Version": API_VERSION, "Request-Id": f"req_{uuid.uuid4().hex[:14]}"}


def _api_key(req: Request) -> str:
    scheme, _, credential = req.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return credential.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credential).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def stripe_api(handler):
    """Stripe's own 401 body (the framework's generic one is not Stripe's), and its headers."""
    def handle(req: Request) -> Response:
        key = _api_key(req)
        if not key:
            raise _error(401, "You did not provide an API key. You need to provide your API key in the "
                              "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
        if not key.startswith(KEY_PREFIX) or len(key) == len(KEY_PREFIX):
            raise _error(401, f"Invalid API Key provided: {key[:8]}{'*' * 8}", code="api_key_invalid")
        # Plan each page with its own cursor: a prepared statement's generic plan sorts every
        # matching event instead of walking the created_at index down to one page.
        db().prepare_threshold = None
        resp = handler(req)
        resp.headers.update(_headers())
        return resp
    return handle


def _multi(req: Request, name: str) -> list[str]:
    """Array parameters as clients send them: `name[]=a&name[]=b` or `name[0]=a&name[1]=b`."""
    pattern = re.compile(re.escape(name) + r"\[\d*\]")
    return [v for key, values in req.query.items() if pattern.fullmatch(key) for v in values]


def _integer(req: Request, name: str) -> int | None:
    value = req.arg(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise _error(400, f"Invalid integer: {value}", param=name) from None


def _where(req: Request, resource: str) -> tuple[list[str], list]:
    where, args = [], []
    for param, expr in FILTERS[resource].items():
        if (value := req.arg(param)) is not None:
            where.append(f"{expr} = %s")
            args.append(value)
    for op, sql in (("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")):
        if (value := _integer(req, f"created[{op}]")) is not None:
            where.append(f"created_at {sql} to_timestamp(%s)")
            args.append(value)
    if (value := _integer(req, "created")) is not None:
        where.append("created_at = to_timestamp(%s)")
        args.append(value)
    if resource == "customers":
        where.append("NOT deleted")
    if resource == "subscriptions":
        status = req.arg("status")
        if status is None:
            where.append("payload->>'status' <> 'canceled'")
        elif status == "ended":
            where.append("payload->>'status' IN ('canceled', 'incomplete_expired')")
        elif status != "all":
            where.append("payload->>'status' = %s")
            args.append(status)
    if resource == "events":
        where.append(RETAINED)
        if (kind := req.arg("type")) is not None:
            where.append("payload->>'type' LIKE %s")
            args.append(kind.replace("_", r"\_").replace("*", "%"))
        if types := _multi(req, "types"):
            where.append("payload->>'type' = ANY(%s)")
            args.append(types)
    return where, args


def _expand(items: list[dict], fields: list[str]) -> list[dict]:
    """Replace the ids in `fields` of each item by the objects they name."""
    wanted: dict[str, set[str]] = {}
    for item in items:
        for f in fields:
            value = item.get(f)
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, str) and (object_type := _type_of(ref)):
                    wanted.setdefault(object_type, set()).add(ref)
    found = {row["id"]: row["payload"] for object_type, ids in wanted.items()
             for row in objects(SOURCE, object_type, "id = ANY(%s)", (list(ids),))}

    def one(ref):
        return found.get(ref, ref) if isinstance(ref, str) else ref

    return [{**item, **{f: [one(r) for r in item[f]] if isinstance(item.get(f), list) else one(item.get(f))
                        for f in fields if f in item}} for item in items]


def _type_of(object_id: str) -> str | None:
    return next((object_type for prefix, object_type in ID_PREFIXES if object_id.startswith(prefix)), None)


@route("GET", r"/v1/" + RESOURCE)
@stripe_api
def list_objects(req: Request) -> Response:
    resource = req.params["resource"]
    limit = _integer(req, "limit")
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise _error(400, f"This value must be greater than or equal to 1 and less than or equal to {MAX_LIMIT}.",
                     param="limit")
    after, before = req.arg("starting_after"), req.arg("ending_before")
    if after and before:
        raise _error(400, "You may only specify one of these parameters: ending_before, starting_after.")
    where, args = _where(req, resource)
    cursor = None
    if after or before:
        cursor = _find(resource, after or before, "starting_after" if after else "ending_before")
    if cursor:   # (created_at, id) beyond the cursor's, spelled so the created_at index bounds the scan
        sign = "<" if after else ">"
        where.append(f"created_at {sign}= %s AND (created_at {sign} %s OR id {sign} %s)")
        args += [cursor["created_at"], cursor["created_at"], cursor["id"]]
    order = "created_at, id" if before else "created_at DESC, id DESC"   # ending_before: the nearest newer ones
    rows = objects(SOURCE, resource, " AND ".join(where), tuple(args), order=order, limit=limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit][::-1] if before else rows[:limit]
    page = with_duplicate([row["payload"] for row in rows], cursor["payload"] if after else None)
    fields = [path[5:] for path in _multi(req, "expand") if path.startswith("data.")]
    page = _expand(page, fields) if fields else page
    numeric, required = CHECKED.get(resource, ((), ()))
    return Response(200, {"object": "list", "data": [spoil(obj, numeric, required) for obj in page],
                          "has_more": has_more, "url": f"/v1/{resource}"})


@route("GET", r"/v1/" + RESOURCE + r"/(?P<id>[A-Za-z0-9_]+)")
@stripe_api
def retrieve(req: Request) -> Response:
    found = _find(req.params["resource"], req.params["id"], "id")
    return Response(200, _expand([found["payload"]], _multi(req, "expand"))[0])


def _find(resource: str, object_id: str, param: str) -> dict:
    rows = objects(SOURCE, resource, "id = %s" + (f" AND {RETAINED}" if resource == "events" else ""), (object_id,))
    if not rows:
        raise _missing(resource, object_id, param)
    return rows[0]


def _missing(resource: str, object_id: str, param: str) -> ApiError:
    return _error(404 if param == "id" else 400, f"No such {OBJECT_NAMES[resource]}: '{object_id}'",
                  code="resource_missing", param=param)
