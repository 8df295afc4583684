"""Fetch functions for HubSpot, one per raw table (see manifest.yml). Each yields records exactly as
the API sent them; CRM objects also get the `associations` the v4 batch endpoint answered for them.

CRM objects come from the search endpoint, filtered on the last-modified property since `since`
(the watermark minus the overlap) and sorted by hs_object_id, so records changed while we page
only move within the time filter, never across the sort. Search stops at 10,000 results per
query (HTTP 400 beyond): before the next page would pass it, or when the API refuses a page, the
query restarts with `hs_object_id > <the last id read>`, so no total is too large. Search never
returns archived objects: those come from the `archived=true` listing, which has no time filter,
and only the ones archived since `since` are yielded.
Owners and pipelines are small and read in full every run; raw keeps a new version only when one changed.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Iterator

from include.errors import EltError
from include.sources.http_client import ApiClient

log = logging.getLogger(__name__)
SEARCH_LIMIT = 200             # the most a search page holds
SEARCH_CAP = 10_000            # results one search query can page through
LIST_LIMIT = 100               # the most a listing page holds
OWNERS_LIMIT = 500
BATCH_INPUTS = 1000            # ids per association batch read


def _pages(client: ApiClient, path: str, params: dict) -> Iterator[list[dict]]:
    """A listing, page by page, following paging.next.after."""
    params = dict(params)
    while True:
        page = client.get(path, params=params)
        yield page["results"]
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return
        params["after"] = after


def _search(client: ApiClient, object_type: str, since: dt.datetime | None,
            properties: list[str]) -> Iterator[list[dict]]:
    """Live objects modified since `since` (all of them without it), page by page, in id order."""
    modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
    after, last_id, resume_after = None, None, None
    while True:
        if after is None:                      # a new query: past the last id read, if any
            resume_after = last_id
        filters = []
        if since is not None:
            filters.append({"propertyName": modified, "operator": "GTE", "value": str(int(since.timestamp() * 1000))})
        if resume_after is not None:
            filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": str(resume_after)})
        body = {"filterGroups": [{"filters": filters}] if filters else [], "properties": properties,
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}], "limit": SEARCH_LIMIT}
        if after is not None:
            body["after"] = after
        try:
            page = client.post(f"/crm/v3/objects/{object_type}/search", body)
        except EltError as err:
            if after is None or "HTTP 400" not in str(err):
                raise
            log.info("%s search: the API refused to page past offset %s; continuing after id %s",
                     object_type, after, last_id)
            after = None
            continue
        results = page["results"]
        yield results
        if results:
            last_id = max(int(r["id"]) for r in results)
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if after is None:
            return
        if int(after) >= SEARCH_CAP:
            after = None                       # the next page would start past the cap: restart after last_id


def _attach_associations(client: ApiClient, object_type: str, records: list[dict], to_types: tuple[str, ...]) -> None:
    """records[i]["associations"][to] = the v4 association entries (toObjectId, associationTypes)."""
    ids = list(dict.fromkeys(r["id"] for r in records))
    for to in to_types:
        links: dict[str, list] = {}
        for n in range(0, len(ids), BATCH_INPUTS):
            answer = client.post(f"/crm/v4/associations/{object_type}/{to}/batch/read",
                                 {"inputs": [{"id": i} for i in ids[n:n + BATCH_INPUTS]]})
            links |= {r["from"]["id"]: r["to"] for r in answer["results"]}
        for r in records:
            r.setdefault("associations", {})[to] = links.get(r["id"], [])


def _archived_since(record: dict, since: dt.datetime | None) -> bool:
    if since is None:
        return True
    try:
        return dt.datetime.fromisoformat(record["updatedAt"].replace("Z", "+00:00")) >= since
    except (KeyError, TypeError, ValueError, AttributeError):
        return True                            # let the extractor keep and flag it


def _crm_objects(client: ApiClient, object_type: str, since: dt.datetime | None,
                 associations: tuple[str, ...] = ()) -> Iterator[dict]:
    """Every property of the objects changed since `since`, then those archived since then."""
    properties = [p["name"] for p in client.get(f"/crm/v3/properties/{object_type}")["results"]]
    for page in _search(client, object_type, since, properties):
        if associations and page:
            _attach_associations(client, object_type, page, associations)
        yield from page
    for page in _pages(client, f"/crm/v3/objects/{object_type}",
                       {"archived": "true", "limit": LIST_LIMIT, "properties": properties}):
        yield from (r for r in page if _archived_since(r, since))


ENGAGEMENT_LINKS = ("companies", "contacts", "deals")


def companies(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "companies", since)


def contacts(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "contacts", since, ("companies",))


def deals(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "deals", since, ("companies", "contacts"))


def products(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "products", since)


def line_items(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "line_items", since, ("deals",))


def tickets(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "tickets", since, ("companies", "contacts"))


def calls(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "calls", since, ENGAGEMENT_LINKS)


def emails(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "emails", since, ENGAGEMENT_LINKS)


def meetings(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "meetings", since, ENGAGEMENT_LINKS)


def notes(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "notes", since, ENGAGEMENT_LINKS)


def tasks(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _crm_objects(client, "tasks", since, ENGAGEMENT_LINKS)


def owners(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    for page in _pages(client, "/crm/v3/owners", {"limit": OWNERS_LIMIT}):
        yield from page


def _pipelines(client: ApiClient, object_type: str) -> Iterator[dict]:
    yield from client.get(f"/crm/v3/pipelines/{object_type}")["results"]


def deal_pipelines(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _pipelines(client, "deals")


def ticket_pipelines(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _pipelines(client, "tickets")
