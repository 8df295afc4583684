"""The ad platforms: Google Ads (`google_ads`), Meta Ads (`meta_ads`) and LinkedIn Ads (`linkedin_ads`).

One ad account per platform runs the campaigns the app's UTM parameters name (catalog.CAMPAIGNS),
so an app sign-up with `utm_campaign = 'search_brand'` joins the Google campaign of that name. The
model is the same on every platform (campaign -> ad group / ad set -> ad; LinkedIn: campaign group
-> campaign -> creative); only the payload shapes differ, and they are written the way each API
returns them, so the mocks serve them as stored.

- Flights: a campaign serves in 14-day flights, most on, some paused. A paid sign-up in a paused
  flight proves the campaign ran, so it starts the campaign from just before that click for the
  rest of the flight: the statuses start and pause over time and never contradict the app.
- Daily performance per ad: impressions, clicks, spend and conversions. Each paid sign-up is a click
  and a conversion on its ad that day (the app's sign-ups are a subset of the conversions); the other
  conversions trickle in over CONVERSION_LAG, and today's row grows through the day, so every
  advance restates the last few days.
- A landing record per paid sign-up (the click id, the landing URL with its UTM parameters and the
  app account it became), except for the few whose click id the browser stripped.
- The ad accounts opened ADS_HISTORY_DAYS before the simulated history starts: older paid sign-ups
  (an agency's era) have no click and no conversions here, a missing link attribution must live with.

Every value is a function of the seed, the structure and the simulated time `now`, drawn from
streams keyed by the seed and the object (not the window): a day's metrics must come out the same
whichever simulate() step computes them, so a restatement changes only what time changed.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from include.simulation import catalog
from include.simulation.clock import read_state
from include.simulation.copytext import to_datetime
from include.simulation.scale import get_scale
from include.simulation.sources.store import ApiObject, Window, stable_id, stable_uuid, upsert

DAY = dt.timedelta(days=1)
ADS_HISTORY_DAYS = 180
FLIGHT_DAYS = 14
FLIGHT_ON_SHARE = 0.7
CONVERSION_LAG = dt.timedelta(days=3)        # restated window: keep the manifests' overlap at least this
MAX_CLICK_TO_SIGNUP = dt.timedelta(minutes=40)
STRIPPED_CLICK_SHARE = 0.06                  # sign-ups whose click id was stripped: no landing record
SITE = "https://tapsense.io/signup"
TIME_ZONE = "Etc/GMT"                        # the ad accounts report in UTC days, like the app
PAID_CHANNELS = ("paid_search", "paid_social")


@dataclass(frozen=True)
class Platform:
    source: str
    utm_sources: tuple[str, ...]             # the utm_source values of its clicks (Meta: facebook, instagram)
    groups_per_campaign: int                 # ad groups / ad sets (LinkedIn has no level between campaign and creative)
    ads_per_group: int
    group_themes: tuple[str, ...]
    ctr: float                               # clicks per impression
    cpc: float                               # USD per click
    signup_rate: float                       # app sign-ups per click: sizes the daily clicks
    other_conversion_rate: float             # other conversions (demo requests, webinars) per click


PLATFORMS = (
    Platform("google_ads", ("google",), 2, 2, ("exact", "phrase", "broad", "competitors"), 0.055, 4.2, 0.04, 0.03),
    Platform("meta_ads", ("facebook", "instagram"), 2, 2, ("US & CA", "UK & IE", "DACH & NL", "lookalike 1%"),
             0.012, 1.3, 0.015, 0.02),
    Platform("linkedin_ads", ("linkedin",), 1, 3, ("all",), 0.006, 9.5, 0.03, 0.025),
)
LINKEDIN_CAMPAIGN_GROUPS = {"Hospitality decision makers": ("li_hospitality_directors", "li_multi_location_abm"),
                            "Breweries": ("li_brewery_ops",)}


# -- the structure: accounts, campaigns, groups, ads --------------------------------------------

@dataclass(frozen=True)
class Ad:
    id: str
    name: str
    enabled: bool
    weight: float                            # its share of the campaign's traffic


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    ads: tuple[Ad, ...]


@dataclass(frozen=True)
class Signup:
    account_id: str
    created_at: dt.datetime
    utm_source: str
    utm_medium: str
    utm_campaign: str


@dataclass(frozen=True)
class Click:
    """A paid sign-up's click: the ad it came through and when."""
    id: str
    signup: Signup
    group: Group
    ad: Ad
    at: dt.datetime
    stripped: bool                           # the click id never reached the landing page


@dataclass
class Campaign:
    id: str
    name: str
    utm_source: str
    utm_medium: str
    start: dt.datetime                       # midnight of its first day
    created_at: dt.datetime
    daily_budget: float
    clicks_per_day: float
    groups: tuple[Group, ...]
    parent_id: str | None = None             # LinkedIn campaign group
    clicks: list[Click] = field(default_factory=list)
    serving: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # [from, to) up to now

    def is_serving(self, moment: dt.datetime) -> bool:
        return any(start <= moment < end for start, end in self.serving)

    def changed_at(self, now: dt.datetime) -> dt.datetime:
        """When its status last changed (a flight starting or pausing), or its creation."""
        return max([self.created_at, *(t for span in self.serving for t in span if t <= now)])

    def served_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        return sum(max(0.0, (min(end, b) - max(start, a)).total_seconds()) for a, b in self.serving)


@dataclass
class Account:
    platform: Platform
    id: str
    name: str
    created_at: dt.datetime
    campaigns: list[Campaign]
    campaign_groups: dict[str, tuple[str, list[Campaign]]]   # LinkedIn: id -> (name, campaigns)


def _rng(seed: int, *keys) -> random.Random:
    """A stream keyed by the seed and an object, the same in every simulate() step (see the docstring)."""
    return random.Random(int(stable_id("", seed, *keys, length=16), 16))


def _digits(seed: int, length: int, *keys) -> str:
    """A numeric platform id of `length` digits."""
    value = int(stable_id("", seed, *keys, length=24), 16)
    return str(10 ** (length - 1) + value % (9 * 10 ** (length - 1)))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.timezone.utc)


def _noise(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def _expected_signups_per_day(scale: str) -> dict[str, float]:
    """utm_campaign -> paid sign-ups per day the app's arrival mix implies (profiles.py's draw)."""
    per_day = get_scale(scale).signups_per_day
    channel_share = dict(zip(catalog.SIGNUP_CHANNELS, catalog.SIGNUP_CHANNEL_WEIGHTS))
    total = sum(channel_share.values())
    expected = {}
    for channel in PAID_CHANNELS:
        options = catalog.UTM_BY_CHANNEL[channel]
        weights = sum(o[3] for o in options)
        for source, _medium, _has_campaign, weight in options:
            names = catalog.CAMPAIGNS[source]
            for name in names:
                expected[name] = per_day * channel_share[channel] / total * weight / weights / len(names)
    return expected


def build_account(platform: Platform, seed: int, scale: str, ads_start: dt.datetime,
                  first_signup: dict[str, dt.datetime]) -> Account:
    """The platform's account and campaigns; the same for a seed and history at every step."""
    src = platform.source
    expected = _expected_signups_per_day(scale)
    campaigns = []
    for utm_source in platform.utm_sources:
        medium = "cpc" if utm_source == "google" else "paid_social"
        for name in catalog.CAMPAIGNS[utm_source]:
            rng = _rng(seed, src, "campaign", name)
            start = ads_start + DAY * int(rng.random() * 150)
            if name in first_signup:                     # it ran when its first sign-up clicked
                start = min(start, _midnight(first_signup[name].date()))
            groups = []
            themes = rng.sample(platform.group_themes, platform.groups_per_campaign)
            for g, theme in enumerate(themes):
                ads = []
                for a in range(platform.ads_per_group):
                    ads.append(Ad(_digits(seed, 11, src, "ad", name, g, a), f"{name} {theme} v{a + 1}",
                                  a == 0 or rng.random() > 0.2, 0.5 + rng.random()))
                groups.append(Group(_digits(seed, 11, src, "group", name, g),
                                    name if src == "linkedin_ads" else f"{name} | {theme}", tuple(ads)))
            clicks = max(15.0, expected.get(name, 0.0) / platform.signup_rate) * (0.7 + 0.6 * rng.random())
            campaigns.append(Campaign(_digits(seed, 10 if src == "google_ads" else 12, src, "campaign", name), name,
                                      utm_source, medium, start, start - DAY * (1 + int(rng.random() * 5)),
                                      round(clicks * platform.cpc * 1.3, -1), clicks, tuple(groups)))
    groups = {}
    if src == "linkedin_ads":
        by_name = {c.name: c for c in campaigns}
        for group_name, members in LINKEDIN_CAMPAIGN_GROUPS.items():
            group_id = _digits(seed, 9, src, "campaign_group", group_name)
            for member in members:
                by_name[member].parent_id = group_id
            groups[group_id] = (group_name, [by_name[m] for m in members])
    return Account(platform, _digits(seed, {"google_ads": 10, "meta_ads": 15, "linkedin_ads": 9}[src], src, "account"),
                   "TapSense", ads_start - 10 * DAY, campaigns, groups)


# -- what happened: clicks of sign-ups, flights ---------------------------------------------------

def attach_clicks(account: Account, seed: int, signups: list[Signup], now: dt.datetime) -> None:
    """Each paid sign-up of this platform becomes a click on one of its campaign's live ads, and the
    campaign's serving intervals follow from the flights and those clicks."""
    by_name = {c.name: c for c in account.campaigns}
    for signup in signups:
        campaign = by_name.get(signup.utm_campaign)
        if campaign is None or signup.created_at < campaign.start:
            continue
        rng = _rng(seed, account.platform.source, "click", signup.account_id)
        live = [(g, a) for g in campaign.groups for a in g.ads if a.enabled]
        group, ad = live[int(rng.random() * len(live))]
        delay = MAX_CLICK_TO_SIGNUP * (0.05 + 0.95 * rng.random())
        campaign.clicks.append(Click(stable_id("", seed, account.platform.source, "click", signup.account_id, length=32),
                                     signup, group, ad, signup.created_at - delay, rng.random() < STRIPPED_CLICK_SHARE))
    for campaign in account.campaigns:
        campaign.clicks.sort(key=lambda c: c.signup.created_at)
        _plan_flights(campaign, seed, account.platform.source, now)


def _plan_flights(campaign: Campaign, seed: int, source: str, now: dt.datetime) -> None:
    """Serving intervals up to now. A paused flight starts at its first sign-up's click (clicks of
    later sign-ups in it are moved no earlier), and a click never falls on the day before its sign-up."""
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    first = campaign.start.date().toordinal() // FLIGHT_DAYS
    last = now.date().toordinal() // FLIGHT_DAYS
    clicks_by_flight: dict[int, list[int]] = {}
    for i, click in enumerate(campaign.clicks):
        clicks_by_flight.setdefault(click.signup.created_at.date().toordinal() // FLIGHT_DAYS, []).append(i)
    for flight in range(first, last + 1):
        begin = max(campaign.start, _midnight(dt.date.fromordinal(flight * FLIGHT_DAYS)))
        end = _midnight(dt.date.fromordinal((flight + 1) * FLIGHT_DAYS))
        planned = flight == first or _rng(seed, source, "flight", campaign.name, flight).random() < FLIGHT_ON_SHARE
        members = clicks_by_flight.get(flight, [])
        if not planned and members:
            begin = max(begin, campaign.clicks[members[0]].at)
        elif not planned:
            continue
        for i in members:
            click = campaign.clicks[i]
            at = max(click.at, begin, _midnight(click.signup.created_at.date()))
            campaign.clicks[i] = Click(click.id, click.signup, click.group, click.ad, at, click.stripped)
        if spans and spans[-1][1] == begin:
            begin = spans.pop()[0]
        spans.append((begin, end))
    campaign.serving = [(a, b) for a, b in spans if a <= now]


# -- daily performance ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DayMetrics:
    day: dt.date
    impressions: int
    clicks: int
    spend: float                             # USD
    conversions: int
    signups: int                             # of the conversions, app sign-ups


def day_metrics(platform: Platform, seed: int, campaign: Campaign, ad: Ad, day: dt.date, now: dt.datetime,
                signups: int) -> DayMetrics | None:
    """One ad's numbers for a day as the platform reports them at `now`; None when it showed nothing."""
    start = _midnight(day)
    served = campaign.served_seconds(start, min(start + DAY, now)) / DAY.total_seconds()
    if served <= 0 and not signups:
        return None
    rng = _rng(seed, platform.source, "day", ad.id, day.isoformat())
    share = ad.weight / sum(a.weight for g in campaign.groups for a in g.ads if a.enabled)
    weekday = 0.7 if day.weekday() >= 5 else 1.0
    full_clicks = campaign.clicks_per_day * share * weekday * _noise(rng, 0.35)
    ctr = platform.ctr * _noise(rng, 0.15)
    cpc = platform.cpc * _noise(rng, 0.2)
    other = full_clicks * platform.other_conversion_rate * _noise(rng, 0.5)
    other = int(other) + (rng.random() < other - int(other))
    clicks = max(signups, round(full_clicks * served))
    impressions = max(clicks, round(full_clicks / ctr * served))
    if impressions == 0:
        return None
    matured = min(1.0, max(0.0, (now - start) / CONVERSION_LAG))
    return DayMetrics(day, impressions, clicks, round(clicks * cpc, 2), signups + int(other * matured), signups)


def performance(account: Account, seed: int, first_day: dt.date, now: dt.datetime):
    """(campaign, group, ad, DayMetrics) for every ad and day from first_day to today that has numbers."""
    for campaign in account.campaigns:
        signups: dict[tuple[str, dt.date], int] = {}
        for click in campaign.clicks:
            if click.signup.created_at <= now:
                key = (click.ad.id, click.at.date())
                signups[key] = signups.get(key, 0) + 1
        day = max(first_day, campaign.start.date())
        while day <= now.date():
            if campaign.served_seconds(_midnight(day), _midnight(day) + DAY) > 0:
                for group in campaign.groups:
                    for ad in group.ads:
                        if ad.enabled:
                            metrics = day_metrics(account.platform, seed, campaign, ad, day, now,
                                                  signups.get((ad.id, day), 0))
                            if metrics:
                                yield campaign, group, ad, metrics
            day += DAY


def row_times(day: dt.date, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(created, last changed) of a day's row: it changes until its conversions have matured."""
    start = _midnight(day)
    return start, min(now, start + CONVERSION_LAG)


def landing_url(campaign: Campaign, click_param: str | None = None, click_id: str | None = None) -> str:
    params = {"utm_source": campaign.utm_source, "utm_medium": campaign.utm_medium, "utm_campaign": campaign.name}
    if click_param and click_id:
        params[click_param] = click_id
    return f"{SITE}?{urlencode(params)}"


# -- payloads, one set of shapes per platform -----------------------------------------------------

def _iso_meta(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _google(account: Account, seed: int, now: dt.datetime, first_day: dt.date) -> dict[str, list[ApiObject]]:
    cid = account.id
    customer = {"resourceName": f"customers/{cid}", "id": cid, "descriptiveName": account.name,
                "currencyCode": "USD", "timeZone": TIME_ZONE}
    out: dict[str, list[ApiObject]] = {"campaigns": [], "ad_groups": [], "ads": [], "ad_performance": [],
                                       "click_views": []}

    def ref(campaign: Campaign) -> dict:
        return {"resourceName": f"customers/{cid}/campaigns/{campaign.id}", "id": campaign.id,
                "startDate": campaign.start.date().isoformat()}

    def group_ref(group: Group) -> dict:
        return {"resourceName": f"customers/{cid}/adGroups/{group.id}", "id": group.id}

    for c in account.campaigns:
        status = "ENABLED" if c.is_serving(now) else "PAUSED"
        out["campaigns"].append(ApiObject(c.id, c.created_at, c.changed_at(now), {
            "customer": customer,
            "campaign": {**ref(c), "name": c.name, "status": status,
                         "advertisingChannelType": "PERFORMANCE_MAX" if c.name.startswith("pmax") else "SEARCH",
                         "biddingStrategyType": "MAXIMIZE_CONVERSIONS", "endDate": "2037-12-30",
                         "campaignBudget": f"customers/{cid}/campaignBudgets/{c.id}"},
            "campaignBudget": {"resourceName": f"customers/{cid}/campaignBudgets/{c.id}",
                               "amountMicros": str(int(c.daily_budget * 1_000_000))}}))
        for g in c.groups:
            out["ad_groups"].append(ApiObject(g.id, c.created_at, c.created_at, {
                "campaign": ref(c),
                "adGroup": {**group_ref(g), "name": g.name, "status": "ENABLED", "type": "SEARCH_STANDARD",
                            "campaign": ref(c)["resourceName"]}}))
            for a in g.ads:
                out["ads"].append(ApiObject(a.id, c.created_at, c.created_at, {
                    "campaign": ref(c), "adGroup": group_ref(g),
                    "adGroupAd": {"resourceName": f"customers/{cid}/adGroupAds/{g.id}~{a.id}",
                                  "status": "ENABLED" if a.enabled else "PAUSED",
                                  "ad": {"resourceName": f"customers/{cid}/ads/{a.id}", "id": a.id, "name": a.name,
                                         "type": "RESPONSIVE_SEARCH_AD", "finalUrls": [landing_url(c)]}}}))
    for c, g, a, m in performance(account, seed, first_day, now):
        created, changed = row_times(m.day, now)
        out["ad_performance"].append(ApiObject(f"{a.id}:{m.day.isoformat()}", created, changed, {
            "campaign": {"resourceName": ref(c)["resourceName"], "id": c.id}, "adGroup": group_ref(g),
            "adGroupAd": {"resourceName": f"customers/{cid}/adGroupAds/{g.id}~{a.id}", "ad": {"id": a.id}},
            "metrics": {"impressions": str(m.impressions), "clicks": str(m.clicks),
                        "costMicros": str(round(m.spend * 1_000_000)), "conversions": float(m.conversions)},
            "segments": {"date": m.day.isoformat()}}))
    for c in account.campaigns:
        for k in _landed(c, now):
            gclid = "Cj0KCQ" + k.id
            out["click_views"].append(ApiObject(gclid, k.signup.created_at, k.signup.created_at, {
                "clickView": {"resourceName": f"customers/{cid}/clickViews/{k.at.date().isoformat()}~{gclid}",
                              "gclid": gclid, "adGroupAd": f"customers/{cid}/adGroupAds/{k.group.id}~{k.ad.id}"},
                "campaign": {"resourceName": ref(c)["resourceName"], "id": c.id}, "adGroup": group_ref(k.group),
                "segments": {"date": k.at.date().isoformat()},
                "landing": _landing(c, k, "gclid", gclid, k.at.strftime("%Y-%m-%d %H:%M:%S"))}))
    return out


def _landed(campaign: Campaign, now: dt.datetime) -> list[Click]:
    return [k for k in campaign.clicks if k.signup.created_at <= now and not k.stripped]


def _landing(campaign: Campaign, click: Click, param: str, click_id: str, clicked_at) -> dict:
    """What the landing page's tag kept of the click, in Google's and LinkedIn's camelCase: a mock
    extension (the real APIs do not return it) standing in for the click id the site would store."""
    return {"clickedAt": clicked_at, "url": landing_url(campaign, param, click_id),
            "utmSource": campaign.utm_source, "utmMedium": campaign.utm_medium, "utmCampaign": campaign.name,
            "appAccountId": click.signup.account_id}


def _meta(account: Account, seed: int, now: dt.datetime, first_day: dt.date) -> dict[str, list[ApiObject]]:
    act = account.id
    out: dict[str, list[ApiObject]] = {"ad_accounts": [ApiObject(f"act_{act}", account.created_at, account.created_at, {
        "id": f"act_{act}", "account_id": act, "name": account.name, "currency": "USD", "timezone_name": TIME_ZONE,
        "account_status": 1, "created_time": _iso_meta(account.created_at)})],
        "campaigns": [], "adsets": [], "ads": [], "ad_insights": [], "landings": []}
    for c in account.campaigns:
        changed = c.changed_at(now)
        out["campaigns"].append(ApiObject(c.id, c.created_at, changed, {
            "id": c.id, "account_id": act, "name": c.name, "objective": "OUTCOME_LEADS",
            "status": "ACTIVE" if c.is_serving(now) else "PAUSED", "buying_type": "AUCTION",
            "daily_budget": str(int(c.daily_budget * 100)), "special_ad_categories": [],
            "start_time": _iso_meta(c.start), "created_time": _iso_meta(c.created_at), "updated_time": _iso_meta(changed)}))
        for g in c.groups:
            out["adsets"].append(ApiObject(g.id, c.created_at, c.created_at, {
                "id": g.id, "account_id": act, "campaign_id": c.id, "name": g.name, "status": "ACTIVE",
                "billing_event": "IMPRESSIONS", "optimization_goal": "OFFSITE_CONVERSIONS",
                "targeting": {"publisher_platforms": [c.utm_source]}, "start_time": _iso_meta(c.start),
                "created_time": _iso_meta(c.created_at), "updated_time": _iso_meta(c.created_at)}))
            for a in g.ads:
                out["ads"].append(ApiObject(a.id, c.created_at, c.created_at, {
                    "id": a.id, "account_id": act, "campaign_id": c.id, "adset_id": g.id, "name": a.name,
                    "status": "ACTIVE" if a.enabled else "PAUSED",
                    "creative": {"id": _digits(seed, 15, "meta_ads", "creative", a.id),
                                 "url_tags": landing_url(c).split("?", 1)[1]},
                    "created_time": _iso_meta(c.created_at), "updated_time": _iso_meta(c.created_at)}))
    for c, g, a, m in performance(account, seed, first_day, now):
        created, changed = row_times(m.day, now)
        actions = [{"action_type": "link_click", "value": str(m.clicks)}]
        if m.conversions:
            actions.append({"action_type": "offsite_conversion.fb_pixel_lead", "value": str(m.conversions)})
        out["ad_insights"].append(ApiObject(f"{a.id}:{m.day.isoformat()}", created, changed, {
            "account_id": act, "campaign_id": c.id, "campaign_name": c.name, "adset_id": g.id, "adset_name": g.name,
            "ad_id": a.id, "ad_name": a.name, "impressions": str(m.impressions), "clicks": str(m.clicks),
            "spend": f"{m.spend:.2f}", "actions": actions, "date_start": m.day.isoformat(),
            "date_stop": m.day.isoformat()}))
    for c in account.campaigns:
        for k in _landed(c, now):
            fbclid, landing_id = "IwAR" + k.id, _digits(seed, 16, "meta_ads", "landing", k.id)
            out["landings"].append(ApiObject(landing_id, k.signup.created_at, k.signup.created_at, {
                "id": landing_id, "fbclid": fbclid, "click_time": _iso_meta(k.at), "campaign_id": c.id,
                "adset_id": k.group.id, "ad_id": k.ad.id, "publisher_platform": c.utm_source,
                "landing_page_url": landing_url(c, "fbclid", fbclid), "utm_source": c.utm_source,
                "utm_medium": c.utm_medium, "utm_campaign": c.name, "app_account_id": k.signup.account_id}))
    return out


def _linkedin(account: Account, seed: int, now: dt.datetime, first_day: dt.date) -> dict[str, list[ApiObject]]:
    acct = f"urn:li:sponsoredAccount:{account.id}"

    def stamps(created: dt.datetime, changed: dt.datetime) -> dict:
        return {"created": {"time": _ms(created)}, "lastModified": {"time": _ms(changed)}}

    out: dict[str, list[ApiObject]] = {"ad_accounts": [ApiObject(account.id, account.created_at, account.created_at, {
        "id": int(account.id), "name": account.name, "currency": "USD", "status": "ACTIVE", "type": "BUSINESS",
        "reference": f"urn:li:organization:{_digits(seed, 8, 'linkedin_ads', 'organization')}", "test": False,
        "changeAuditStamps": stamps(account.created_at, account.created_at)})],
        "campaign_groups": [], "campaigns": [], "creatives": [], "creative_analytics": [], "landings": []}
    for group_id, (name, members) in account.campaign_groups.items():
        created = min(c.created_at for c in members)
        out["campaign_groups"].append(ApiObject(group_id, created, created, {
            "id": int(group_id), "account": acct, "name": name, "status": "ACTIVE", "test": False,
            "runSchedule": {"start": _ms(min(c.start for c in members))}, "changeAuditStamps": stamps(created, created)}))
    for c in account.campaigns:
        changed = c.changed_at(now)
        out["campaigns"].append(ApiObject(c.id, c.created_at, changed, {
            "id": int(c.id), "account": acct, "campaignGroup": f"urn:li:sponsoredCampaignGroup:{c.parent_id}",
            "name": c.name, "status": "ACTIVE" if c.is_serving(now) else "PAUSED", "type": "SPONSORED_UPDATES",
            "costType": "CPC", "objectiveType": "WEBSITE_CONVERSION",
            "dailyBudget": {"amount": f"{c.daily_budget:.2f}", "currencyCode": "USD"},
            "unitCost": {"amount": f"{account.platform.cpc:.2f}", "currencyCode": "USD"},
            "runSchedule": {"start": _ms(c.start)}, "locale": {"country": "US", "language": "en"},
            "changeAuditStamps": stamps(c.created_at, changed)}))
        for a in (a for g in c.groups for a in g.ads):
            out["creatives"].append(ApiObject(f"urn:li:sponsoredCreative:{a.id}", c.created_at, c.created_at, {
                "id": f"urn:li:sponsoredCreative:{a.id}", "account": acct, "campaign": f"urn:li:sponsoredCampaign:{c.id}",
                "name": a.name, "intendedStatus": "ACTIVE" if a.enabled else "PAUSED",
                "content": {"reference": f"urn:li:share:{_digits(seed, 19, 'linkedin_ads', 'share', a.id)}"},
                "createdAt": _ms(c.created_at), "lastModifiedAt": _ms(c.created_at)}))
    for c, _g, a, m in performance(account, seed, first_day, now):
        created, changed = row_times(m.day, now)
        day = {"year": m.day.year, "month": m.day.month, "day": m.day.day}
        out["creative_analytics"].append(ApiObject(f"{a.id}:{m.day.isoformat()}", created, changed, {
            "pivotValues": [f"urn:li:sponsoredCreative:{a.id}"], "dateRange": {"start": day, "end": day},
            "impressions": m.impressions, "clicks": m.clicks, "landingPageClicks": m.clicks,
            "costInLocalCurrency": f"{m.spend:.6f}", "externalWebsiteConversions": m.conversions}))
    for c in account.campaigns:
        for k in _landed(c, now):
            click_id = stable_uuid(k.id)
            out["landings"].append(ApiObject(click_id, k.signup.created_at, k.signup.created_at, {
                "id": click_id, "clickId": click_id, "account": acct, "campaign": f"urn:li:sponsoredCampaign:{c.id}",
                "creative": f"urn:li:sponsoredCreative:{k.ad.id}", **_landing(c, k, "li_fat_id", click_id, _ms(k.at))}))
    return out


SHAPES = {"google_ads": _google, "meta_ads": _meta, "linkedin_ads": _linkedin}


# -- the generator ---------------------------------------------------------------------------------

def history_start(conn, window: Window) -> dt.datetime:
    state = None if window.built else read_state(conn)
    return to_datetime(state.history_start) if state else window.start


def paid_signups(conn, since: dt.datetime, until: dt.datetime) -> list[Signup]:
    rows = conn.execute(
        """SELECT id::text, created_at, utm_source, utm_medium, utm_campaign FROM accounts
           WHERE signup_channel = ANY(%s) AND utm_campaign IS NOT NULL AND created_at >= %s AND created_at <= %s
           ORDER BY created_at, id""", (list(PAID_CHANNELS), since, until)).fetchall()
    return [Signup(*row) for row in rows]


def accounts_at(conn, window: Window) -> tuple[dt.datetime, list[Account]]:
    """When the ad accounts opened, and every platform's account with its clicks and flights as of window.end."""
    ads_start = _midnight((history_start(conn, window) - ADS_HISTORY_DAYS * DAY).date())
    signups = paid_signups(conn, ads_start, window.end)
    first = {}
    for s in signups:
        first.setdefault(s.utm_campaign, s.created_at)
    accounts = []
    for platform in PLATFORMS:
        account = build_account(platform, window.seed, window.scale, ads_start, first)
        attach_clicks(account, window.seed, [s for s in signups if s.utm_source in platform.utm_sources], window.end)
        accounts.append(account)
    return ads_start, accounts


def generate(conn, window: Window) -> dict[str, int]:
    """A history build writes everything since the ad accounts opened; an advance rewrites the
    entities (only changed payloads are stored), the days still being restated and the new landings."""
    written = {}
    ads_start, accounts = accounts_at(conn, window)
    first_day = ads_start.date() if window.built else (window.start - CONVERSION_LAG).date()
    for account in accounts:
        for object_type, objects in SHAPES[account.platform.source](account, window.seed, window.end,
                                                                     first_day).items():
            written[f"{account.platform.source}.{object_type}"] = upsert(conn, account.platform.source, object_type,
                                                                         objects)
    return written
