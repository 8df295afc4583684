"""Fetch functions for Stripe, one per raw table (see manifest.yml). Each yields records exactly as
the API sent them.

Lists page newest first with `starting_after` and take `created[gte]` = since (the watermark minus
the overlap). Objects change without their `created` moving, so the fetch of each mutable object
then reads /v1/events of its kind since the same time and yields the `data.object` of each
object's newest event. A batch holds one version per id (the list's, else the newest event's):
Stripe objects carry no change time, and raw orders a record's versions by batch; every
intermediate version stays in raw_stripe.events. A first load lists every object as it is now
and reads events only for deleted customers, which no list shows; Stripe keeps events 30 days, so
older deletions are out of reach.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from include.sources.http_client import ApiClient

PAGE_SIZE = 100


def _pages(client: ApiClient, path: str, params: dict) -> Iterator[dict]:
    """Every object of a list endpoint, newest first."""
    params = {**params, "limit": PAGE_SIZE}
    while True:
        page = client.get(path, params=params)
        data = page.get("data") or []
        yield from data
        if not page.get("has_more") or not data:
            return
        params = {**params, "starting_after": data[-1]["id"]}


def _created_since(since: dt.datetime | None) -> dict:
    return {"created[gte]": int(since.timestamp())} if since else {}


def _first_of_each(records: Iterable[dict], seen: set) -> Iterator[dict]:
    """Each id once: the first seen wins (a list's current object, or an id's newest event)."""
    for record in records:
        if record.get("id") not in seen:
            seen.add(record.get("id"))
            yield record


def _event_objects(client: ApiClient, event_types: str | list[str], object_name: str,
                   since: dt.datetime | None) -> Iterator[dict]:
    """`data.object` of the events of these types (a `*` pattern, or a list), newest first."""
    kinds = {"type": event_types} if isinstance(event_types, str) else {"types[]": event_types}
    for event in _pages(client, "/v1/events", {**kinds, **_created_since(since)}):
        obj = (event.get("data") or {}).get("object")
        if isinstance(obj, dict) and obj.get("object") == object_name:
            yield obj


def _created_and_changed(client: ApiClient, resource: str, object_name: str, event_types: str | list[str],
                         since: dt.datetime | None, params: dict | None = None,
                         unlisted: list[str] | None = None) -> Iterator[dict]:
    """New objects from the list, then changed ones from their events. A first load (since None)
    lists every object as it is now, so it reads only the events of what the list leaves out
    (`unlisted`, e.g. deletions)."""
    seen: set = set()
    yield from _first_of_each(_pages(client, f"/v1/{resource}", {**(params or {}), **_created_since(since)}), seen)
    kinds = event_types if since is not None else unlisted
    if kinds:
        yield from _first_of_each(_event_objects(client, kinds, object_name, since), seen)


def customers(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Deleted customers come only from their customer.deleted event (the list leaves them out)."""
    return _created_and_changed(client, "customers", "customer",
                                ["customer.created", "customer.updated", "customer.deleted"], since,
                                unlisted=["customer.deleted"])


def products(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "products", "product", "product.*", since)


def prices(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "prices", "price", "price.*", since)


def coupons(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """All of them every run: times_redeemed moves without an event, and there are a handful."""
    return _first_of_each(_pages(client, "/v1/coupons", {}), set())


def subscriptions(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """status=all: the list leaves canceled subscriptions out by default."""
    return _created_and_changed(client, "subscriptions", "subscription", "customer.subscription.*", since,
                                {"status": "all"})


def invoices(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "invoices", "invoice", "invoice.*", since)


def invoice_payments(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "invoice_payments", "invoice_payment", "invoice_payment.*", since)


def charges(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "charges", "charge", "charge.*", since)


def refunds(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _created_and_changed(client, "refunds", "refund", "refund.*", since)


def discounts(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Stripe has no discount list: the discounts on subscriptions and invoices created since (with
    expand[]=data.discounts; one that came off a subscription stays on the invoices it reduced),
    then, on later runs, those of customer.discount.* events (added or removed since)."""
    seen: set = set()
    for resource, params in (("subscriptions", {"status": "all"}), ("invoices", {})):
        parents = _pages(client, f"/v1/{resource}", {**params, "expand[]": "data.discounts", **_created_since(since)})
        yield from _first_of_each((d for p in parents for d in p.get("discounts") or [] if isinstance(d, dict)), seen)
    if since is not None:
        yield from _first_of_each(_event_objects(client, "customer.discount.*", "discount", since), seen)


def events(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _pages(client, "/v1/events", _created_since(since))
