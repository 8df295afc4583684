"""Fetch functions of the Google Ads source: GAQL queries over `googleAds:searchStream`, one per raw
table, for every customer the token can access. Entities are read in full (Google resources have
no modification time); report rows are read for a date range, from the first campaign's start on
the first load and from `since` after that (the manifest's overlap re-reads the restated days)."""
from __future__ import annotations

import datetime as dt
import os
from typing import Iterator

from include.sources.http_client import ApiClient

API = "/v20"
# Against the real API set ELT_GOOGLE_ADS_DEVELOPER_TOKEN; the local mock only checks that one is sent.
DEVELOPER_TOKEN_ENV = "ELT_GOOGLE_ADS_DEVELOPER_TOKEN"
# The simulated clock can run ahead of the wall clock (simulate --advance); days that have not
# happened yet simply return no rows.
FUTURE_DAYS = 31

CAMPAIGNS = ("SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, "
             "campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
             "campaign.bidding_strategy_type, campaign.start_date, campaign.end_date, campaign.campaign_budget, "
             "campaign_budget.amount_micros FROM campaign")
AD_GROUPS = ("SELECT campaign.id, campaign.start_date, ad_group.id, ad_group.name, ad_group.status, ad_group.type, "
             "ad_group.campaign FROM ad_group")
ADS = ("SELECT campaign.id, campaign.start_date, ad_group.id, ad_group_ad.status, ad_group_ad.ad.id, "
       "ad_group_ad.ad.name, ad_group_ad.ad.type, ad_group_ad.ad.final_urls FROM ad_group_ad")
AD_PERFORMANCE = ("SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, metrics.impressions, metrics.clicks, "
                  "metrics.cost_micros, metrics.conversions, segments.date FROM ad_group_ad "
                  "WHERE segments.date BETWEEN '{start}' AND '{end}'")
CLICK_VIEWS = ("SELECT click_view.gclid, click_view.ad_group_ad, campaign.id, ad_group.id, segments.date "
               "FROM click_view WHERE segments.date BETWEEN '{start}' AND '{end}'")


def campaigns(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _search(client, CAMPAIGNS)


def ad_groups(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _search(client, AD_GROUPS)


def ads(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _search(client, ADS)


def ad_performance(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    """Report rows have no id: the key is the ad id and the date, composed here when both came."""
    for row in _search(client, _dated(client, AD_PERFORMANCE, since)):
        ad_id, day = (row.get("adGroupAd") or {}).get("ad", {}).get("id"), (row.get("segments") or {}).get("date")
        yield {**row, "_key": f"{ad_id}:{day}"} if ad_id and day else row


def click_views(client: ApiClient, since: dt.datetime | None) -> Iterator[dict]:
    yield from _search(client, _dated(client, CLICK_VIEWS, since))


def _dated(client: ApiClient, query: str, since: dt.datetime | None) -> str:
    start = since.date() if since else _first_campaign_day(client)
    end = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=FUTURE_DAYS)
    return query.format(start=start.isoformat(), end=end.isoformat())


def _first_campaign_day(client: ApiClient) -> dt.date:
    days = [row["campaign"]["startDate"] for row in _search(client, "SELECT campaign.start_date FROM campaign")
            if row.get("campaign", {}).get("startDate")]
    return dt.date.fromisoformat(min(days)) if days else dt.datetime.now(dt.timezone.utc).date()


def _search(client: ApiClient, query: str) -> Iterator[dict]:
    client.headers.setdefault("developer-token", os.environ.get(DEVELOPER_TOKEN_ENV, "local-mock"))
    for customer in client.get(f"{API}/customers:listAccessibleCustomers")["resourceNames"]:
        customer_id = customer.split("/", 1)[1]
        for batch in client.post(f"{API}/customers/{customer_id}/googleAds:searchStream", {"query": query}):
            yield from batch.get("results", [])
