"""Fetch functions for Iterable, one per raw table (see manifest.yml). Each yields records exactly
as the API sent them.

Events and users come from the export API by date range: from `since` (the watermark minus the
overlap) with no end, so the export runs up to the API's now; a first load asks for `range=All`.
An export is one newline-delimited JSON body; a body cut short fails to parse on its last line and
the client retries the whole request, so a half-read export is never loaded. Lists and campaigns
are small and read in full every run; raw keeps a new version only when one changed.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from include.sources.http_client import ApiClient

EXPORT_TIME = "%Y-%m-%d %H:%M:%S"          # Iterable reads it as UTC
CAMPAIGN_PAGE_SIZE = 100


def _export(client: ApiClient, data_type: str, since: dt.datetime | None) -> Iterator[dict]:
    params = {"dataTypeName": data_type}
    if since is None:
        params["range"] = "All"
    else:
        params["startDateTime"] = since.astimezone(dt.timezone.utc).strftime(EXPORT_TIME)
    yield from client.get("/api/export/data.json", params=params, parse="ndjson")


def users(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Profiles whose profileUpdatedAt is in the range."""
    return _export(client, "user", since)


def email_sends(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _export(client, "emailSend", since)


def email_opens(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _export(client, "emailOpen", since)


def email_clicks(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _export(client, "emailClick", since)


def email_bounces(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _export(client, "emailBounce", since)


def email_unsubscribes(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    return _export(client, "emailUnSubscribe", since)


def custom_events(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Custom events: the NPS and CSAT survey responses."""
    return _export(client, "customEvent", since)


def lists(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from client.get("/api/lists")["lists"]


def campaigns(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Every campaign, page by page following nextPageUrl."""
    params = {"page": 1, "pageSize": CAMPAIGN_PAGE_SIZE}
    while params:
        body = client.get("/api/campaigns", params=params)
        yield from body["campaigns"]
        following = body.get("nextPageUrl")
        params = {k: v[-1] for k, v in parse_qs(urlsplit(following).query).items()} if following else None
