"""Fetch functions of the LinkedIn Ads source (versioned /rest API), one per raw table, for every ad
account the token can read. Entity finders are read in full (they have no modified-since filter);
analytics and landings are read for a date range, from the account's creation on the first load
and from `since` after that (the manifest's overlap re-reads the restated days).

Query strings are built here, not by `requests`: Rest.li 2.0 wants its structure characters
(`(`, `)`, `:`, `,`) as they are and only the values (URNs) encoded."""
from __future__ import annotations

import datetime as dt
from typing import Iterator
from urllib.parse import quote

from include.sources.http_client import ApiClient

API = "/rest"
HEADERS = {"LinkedIn-Version": "202411", "X-Restli-Protocol-Version": "2.0.0"}
PAGE_SIZE = 500
# adAnalytics has no paging and answers at most 15,000 elements: 90 days keeps up to 160 creatives under it.
ANALYTICS_DAYS = 90
FUTURE_DAYS = 31          # the simulated clock can run ahead of the wall clock; future days are empty
ANALYTICS_FIELDS = "dateRange,pivotValues,impressions,clicks,landingPageClicks,costInLocalCurrency,externalWebsiteConversions"


def ad_accounts(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _search(client, f"{API}/adAccounts", "q=search")


def campaign_groups(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _per_account(client, "adCampaignGroups", "q=search")


def campaigns(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _per_account(client, "adCampaigns", "q=search")


def creatives(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _per_account(client, "creatives", "q=criteria")


def creative_analytics(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Daily rows per creative. They have no id and their date is an object: the fetch adds `_key`
    (creative id + date) and `_date` (YYYY-MM-DD) when the element carries both."""
    for account in _search(client, f"{API}/adAccounts", "q=search"):
        urn = quote(f"urn:li:sponsoredAccount:{account['id']}", safe="")
        for start, end in _chunks(_first_day(account, since), ANALYTICS_DAYS):
            query = (f"q=analytics&pivot=CREATIVE&timeGranularity=DAILY&dateRange={_range(start, end)}"
                     f"&accounts=List({urn})&fields={ANALYTICS_FIELDS}")
            for element in _get(client, f"{API}/adAnalytics", query).get("elements", []):
                yield _keyed(element)


def landings(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    for account in _search(client, f"{API}/adAccounts", "q=search"):
        end = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=FUTURE_DAYS)
        query = f"q=dateRange&dateRange={_range(_first_day(account, since), end)}"
        yield from _search(client, f"{API}/adAccounts/{account['id']}/landings", query)


def _keyed(element: dict) -> dict:
    creatives, start = element.get("pivotValues") or [], (element.get("dateRange") or {}).get("start") or {}
    try:
        day = dt.date(start["year"], start["month"], start["day"]).isoformat()
    except (KeyError, TypeError, ValueError):
        return element
    if not creatives or not isinstance(creatives[0], str):
        return element
    return {**element, "_key": f"{creatives[0].rsplit(':', 1)[-1]}:{day}", "_date": day}


def _per_account(client: ApiClient, resource: str, finder: str) -> Iterator[dict]:
    for account in _search(client, f"{API}/adAccounts", "q=search"):
        yield from _search(client, f"{API}/adAccounts/{account['id']}/{resource}", finder)


def _first_day(account: dict, since: dt.datetime | None) -> dt.date:
    if since:
        return since.date()
    created = account["changeAuditStamps"]["created"]["time"]
    return dt.datetime.fromtimestamp(created / 1000, dt.timezone.utc).date()


def _chunks(start: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    last = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=FUTURE_DAYS)
    while start <= last:
        end = min(start + dt.timedelta(days=days - 1), last)
        yield start, end
        start = end + dt.timedelta(days=1)


def _range(start: dt.date, end: dt.date) -> str:
    return (f"(start:(year:{start.year},month:{start.month},day:{start.day}),"
            f"end:(year:{end.year},month:{end.month},day:{end.day}))")


def _search(client: ApiClient, path: str, finder: str) -> Iterator[dict]:
    """A cursor-paged finder: follow metadata.nextPageToken until a page has none."""
    token = None
    while True:
        page = _get(client, path, f"{finder}&pageSize={PAGE_SIZE}" + (f"&pageToken={quote(token, safe='')}" if token else ""))
        yield from page.get("elements", [])
        token = (page.get("metadata") or {}).get("nextPageToken")
        if not token:
            return


def _get(client: ApiClient, path: str, query: str) -> dict:
    client.headers.update(HEADERS)
    return client.get(path, params=query)
