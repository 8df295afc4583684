"""Fetch functions of the Meta Ads source (Graph API v21.0), one per raw table, for every ad account
the token can read. Entity edges are filtered on updated_time after the first load; insights and
landings are read for a date range, from the account's creation on the first load and from
`since` after that (the manifest's overlap re-reads the restated days). Paging follows
`paging.cursors.after` while the page has a `next` link."""
from __future__ import annotations

import datetime as dt
import json
from typing import Iterator

from include.sources.http_client import ApiClient

API = "/v21.0"
PAGE_SIZE = 500
FUTURE_DAYS = 31          # the simulated clock can run ahead of the wall clock; future days are empty

FIELDS = {
    "ad_accounts": "id,account_id,name,currency,timezone_name,account_status,created_time",
    "campaigns": "id,account_id,name,objective,status,buying_type,daily_budget,special_ad_categories,start_time,"
                 "created_time,updated_time",
    "adsets": "id,account_id,campaign_id,name,status,billing_event,optimization_goal,targeting,start_time,"
              "created_time,updated_time",
    "ads": "id,account_id,campaign_id,adset_id,name,status,creative{id,url_tags},created_time,updated_time",
    "ad_insights": "account_id,campaign_id,campaign_name,adset_id,adset_name,ad_id,ad_name,impressions,clicks,"
                   "spend,actions",
}


def ad_accounts(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _pages(client, f"{API}/me/adaccounts", {"fields": FIELDS["ad_accounts"]})


def campaigns(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _changed(client, "campaigns", since)


def adsets(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _changed(client, "adsets", since)


def ads(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _changed(client, "ads", since)


def ad_insights(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Daily rows per ad. They have no id: the key is ad_id and date_start, composed here when both came."""
    params = {"level": "ad", "time_increment": "1", "fields": FIELDS["ad_insights"]}
    for row in _dated(client, "insights", params, since):
        ad_id, day = row.get("ad_id"), row.get("date_start")
        yield {**row, "_key": f"{ad_id}:{day}"} if ad_id and day else row


def landings(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _dated(client, "landings", {}, since)


def _changed(client: ApiClient, edge: str, since: dt.datetime | None) -> Iterator[dict]:
    params = {"fields": FIELDS[edge]}
    if since:
        params["filtering"] = json.dumps([{"field": "updated_time", "operator": "GREATER_THAN",
                                           "value": int(since.timestamp())}])
    for account in _accounts(client):
        yield from _pages(client, f"{API}/{account['id']}/{edge}", params)


def _dated(client: ApiClient, edge: str, params: dict, since: dt.datetime | None) -> Iterator[dict]:
    until = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=FUTURE_DAYS)
    for account in _accounts(client):
        start = (since or dt.datetime.fromisoformat(account["created_time"])).date()
        span = json.dumps({"since": start.isoformat(), "until": until.isoformat()})
        yield from _pages(client, f"{API}/{account['id']}/{edge}", {**params, "time_range": span})


def _accounts(client: ApiClient) -> list[dict]:
    return list(_pages(client, f"{API}/me/adaccounts", {"fields": "id,created_time"}))


def _pages(client: ApiClient, path: str, params: dict) -> Iterator[dict]:
    after = None
    while True:
        page = client.get(path, {**params, "limit": PAGE_SIZE, **({"after": after} if after else {})})
        yield from page.get("data", [])
        paging = page.get("paging") or {}
        if not paging.get("next"):
            return
        after = paging["cursors"]["after"]
