"""Iterable, the lifecycle email platform, grown from the app's truth.

Who is in Iterable: one user per app user email (a few never synced, as in a real integration),
plus newsletter-only prospects. Lists: Newsletter, Product updates, Trial nurture, Churn win-back;
a user's membership (`emailListIds`) follows their account's status at the time. Campaigns: blasts
on a calendar (monthly newsletter, product updates, webinar invites) that go Ready -> Running ->
Finished, and triggered ones: trial nurture on sign-up, win-back on cancellation, an NPS survey
once a quarter for active users, a CSAT survey after a support ticket is resolved.

Every send has follow-ups (bounce, opens, clicks, unsubscribe, the survey response as a custom
event) at rates driven by the account's engagement. They may land days after the send, in a later
clock step, so they draw from a random stream keyed by the send's messageId alone: whichever step
computes them gets the same events, and each step emits the ones whose time falls inside it.
An unsubscribe or a hard bounce stops later sends to that address.
"""
from __future__ import annotations

import bisect
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from include.simulation import catalog
from include.simulation.sources import store
from include.simulation.sources.store import ApiObject, Window, stable_id

SOURCE = "iterable"
UTC = dt.timezone.utc
HISTORY = dt.timedelta(days=30)      # how far back the Iterable project reaches on a history build
TRAIL = dt.timedelta(days=3)         # the latest a follow-up comes after its send
WEBSITE = "https://www.tapsense.io"
MARKETER = "lifecycle@tapsense.io"
MARKETING_CHANNEL = 21853
FREEMAIL = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk", "gmx.de")
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=UTC)

# Rates. Engagement e in [0, 1] comes from sim.account_truth; prospects count as PROSPECT_ENGAGEMENT.
UNSYNCED_USERS = 0.02                # app users the integration never created in Iterable
BAD_ADDRESS = 0.015                  # addresses that hard-bounce on their first send
SOFT_BOUNCE = 0.01
NEWSLETTER_OPT_IN = {"owner": 0.8, "admin": 0.7, "manager": 0.5, "staff": 0.25}
PROSPECTS_PER_ACCOUNT = 0.08         # newsletter-only emails on a history build, per account
PROSPECTS_PER_ACCOUNT_DAY = 0.002    # new ones per account and day afterwards
PROSPECT_ENGAGEMENT = 0.35
TICKETS_PER_ACCOUNT_DAY = 0.03       # resolved support tickets, each followed by a CSAT survey
MAX_OPENS = 4


def _open_rate(e: float) -> float:
    return 0.12 + 0.5 * e


def _click_rate(e: float) -> float:           # of openers
    return 0.08 + 0.3 * e


def _unsubscribe_rate(e: float) -> float:     # of openers
    return 0.01 + 0.03 * (1 - e)


def _response_rate(e: float) -> float:        # survey answers, of openers
    return 0.15 + 0.35 * e


# -- the Iterable project: lists, campaign series, calendar ----------------------------------------

def _int_id(*keys, low: int = 100_000, span: int = 900_000) -> int:
    """An Iterable-style integer id (lists, campaigns, templates) from stable keys."""
    return low + int(stable_id("", *keys), 16) % span


@dataclass(frozen=True)
class ListSpec:
    key: str
    name: str

    @cached_property
    def id(self) -> int:
        return _int_id("list", self.key)


NEWSLETTER = ListSpec("newsletter", "Newsletter")
PRODUCT_UPDATES = ListSpec("product_updates", "Product updates")
TRIAL_NURTURE = ListSpec("trial_nurture", "Trial nurture")
CHURN_WINBACK = ListSpec("churn_winback", "Churn win-back")
LISTS = (NEWSLETTER, PRODUCT_UPDATES, TRIAL_NURTURE, CHURN_WINBACK)
MARKETING_LISTS = frozenset({NEWSLETTER.id, PRODUCT_UPDATES.id})     # an unsubscribe leaves these

NEWSLETTER_UTM, TRIAL_UTM, WEBINAR_UTM, WINBACK_UTM = catalog.CAMPAIGNS["iterable"]


@dataclass(frozen=True)
class Series:
    """A kind of campaign: one campaign per send date for blasts, one standing campaign if triggered."""
    key: str
    name: str
    type: str                        # Blast | Triggered
    audience: ListSpec | None
    utm: str
    subject: str
    paths: tuple[str, ...]           # where its links point
    survey: str | None = None        # the custom event a response becomes


BLASTS = (
    Series("newsletter", "Newsletter", "Blast", NEWSLETTER, NEWSLETTER_UTM, "This month behind the bar",
           ("/blog", "/blog/pour-waste", "/customers")),
    Series("product_updates", "Product updates", "Blast", PRODUCT_UPDATES, "product_updates", "What's new in TapSense",
           ("/changelog", "/features/keg-alerts", "/features/pour-analytics")),
    Series("webinar_invite", "Webinar invite", "Blast", NEWSLETTER, WEBINAR_UTM, "Live: cut pour waste by 20%",
           ("/webinars/pour-waste", "/webinars")),
)
TRIAL_WELCOME = Series("trial_welcome", "Trial nurture: welcome", "Triggered", TRIAL_NURTURE, TRIAL_UTM,
                       "Welcome to TapSense", ("/onboarding", "/help/install-sensors"))
TRIAL_CHECKIN = Series("trial_checkin", "Trial nurture: check-in", "Triggered", TRIAL_NURTURE, TRIAL_UTM,
                       "How is your trial going?", ("/pricing", "/book-a-call"))
WINBACK = Series("winback_offer", "Churn win-back: offer", "Triggered", CHURN_WINBACK, WINBACK_UTM,
                 "Come back for 30% off", ("/pricing", "/winback"))
NPS = Series("nps_survey", "NPS survey: quarterly", "Triggered", None, "nps_survey",
             "How likely are you to recommend TapSense?", ("/survey/nps",), survey="nps_survey_response")
CSAT = Series("csat_survey", "CSAT survey: support ticket", "Triggered", None, "csat_survey",
              "How did we do?", ("/survey/csat",), survey="csat_survey_response")
TRIGGERED = (TRIAL_WELCOME, TRIAL_CHECKIN, WINBACK, NPS, CSAT)
SERIES = {s.key: s for s in BLASTS + TRIGGERED}

BLAST_DRAFTED = dt.timedelta(days=2)          # a blast is created (Ready) this long before it sends
BLAST_RUNS = dt.timedelta(hours=1)            # and is Finished this long after
# Product updates and webinars repeat every `period` from their first date; the newsletter goes
# out on the first Tuesday of each month.
CADENCE = {"product_updates": (dt.datetime(2024, 1, 4, 16, tzinfo=UTC), dt.timedelta(days=28)),
           "webinar_invite": (dt.datetime(2024, 1, 10, 17, tzinfo=UTC), dt.timedelta(days=42))}


def blast_dates(series: Series, lo: dt.datetime, hi: dt.datetime) -> Iterator[dt.datetime]:
    """Send times of a blast series in (lo, hi]."""
    if series.key == "newsletter":
        month = dt.datetime(lo.year, lo.month, 1, 15, tzinfo=UTC)
        while month <= hi:
            first_tuesday = month + dt.timedelta(days=(1 - month.weekday()) % 7)
            if lo < first_tuesday <= hi:
                yield first_tuesday
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return
    first, period = CADENCE[series.key]
    n = max(0, math.floor((lo - first) / period))
    while (at := first + n * period) <= hi:
        if at > lo:
            yield at
        n += 1


@dataclass(frozen=True)
class Campaign:
    series: Series
    sends_at: dt.datetime | None     # blasts only

    @cached_property
    def id(self) -> int:
        when = self.sends_at.isoformat() if self.sends_at else ""
        return _int_id("campaign", self.series.key, when, low=1_000_000, span=9_000_000)

    @cached_property
    def template_id(self) -> int:
        return _int_id("template", self.id, low=2_000_000, span=9_000_000)

    @property
    def name(self) -> str:
        if self.sends_at is None:
            return self.series.name
        return f"{self.series.name} - {self.sends_at:%Y-%m-%d}"

    def state_at(self, t: dt.datetime) -> tuple[str, dt.datetime]:
        """(campaignState, when it was entered) of a blast at time t."""
        if t < self.sends_at:
            return "Ready", self.sends_at - BLAST_DRAFTED
        if t < self.sends_at + BLAST_RUNS:
            return "Running", self.sends_at
        return "Finished", self.sends_at + BLAST_RUNS


STANDING = {s.key: Campaign(s, None) for s in TRIGGERED}     # the triggered campaigns, one per series


def _campaign_payload(c: Campaign, created: dt.datetime, t: dt.datetime, send_size: int | None) -> dict:
    payload = {"id": c.id, "name": c.name, "templateId": c.template_id, "messageMedium": "Email",
               "type": c.series.type, "createdByUserId": MARKETER, "updatedByUserId": MARKETER,
               "listIds": [c.series.audience.id] if c.series.audience else [], "suppressionListIds": [],
               "labels": [c.series.key, c.series.utm], "createdAt": _ms(created)}
    if c.sends_at is None:
        payload.update(campaignState="Running", updatedAt=_ms(created), workflowId=_int_id("workflow", c.series.key))
        return payload
    state, since = c.state_at(t)
    payload.update(campaignState=state, updatedAt=_ms(since), startAt=_ms(c.sends_at))
    if state == "Finished":
        payload["endedAt"] = _ms(since)
    if state != "Ready":
        payload["sendSize"] = send_size or 0
    return payload


# -- the truth: accounts with their status timeline, and the people Iterable knows ------------------

@dataclass
class Account:
    id: str
    plan: str
    status: str
    status_changed_at: dt.datetime
    trial_ends_at: dt.datetime | None
    engagement: float
    churn: float
    times: list[dt.datetime] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def status_at(self, t: dt.datetime) -> str | None:
        """The subscription status at t; None before sign-up. Genesis logs no trial conversions, so a
        trial past its end counts as active unless a later event says otherwise."""
        if t >= self.status_changed_at:
            return self.status
        i = bisect.bisect_right(self.times, t)
        if not i:
            return None
        status = self.statuses[i - 1]
        if status == "trialing" and self.trial_ends_at and t >= self.trial_ends_at:
            return "active"
        return status


@dataclass
class Person:
    """One Iterable user: an app user, or a newsletter-only prospect (no account)."""
    email: str
    signup: dt.datetime              # Iterable's signupDate
    signup_source: str
    first_name: str
    last_name: str
    user_id: str | None = None
    account: Account | None = None
    role: str | None = None
    invited: bool = False
    app_since: dt.datetime | None = None
    app_until: dt.datetime | None = None
    opted_in: bool = False
    bad_address: bool = False
    nps_phase: float = 0.0           # how far into each quarter the NPS survey reaches them

    @property
    def engagement(self) -> float:
        return self.account.engagement if self.account else PROSPECT_ENGAGEMENT

    def in_app(self, t: dt.datetime) -> bool:
        return (self.account is not None and not self.invited and self.app_since <= t
                and (self.app_until is None or t < self.app_until))

    def changed_by(self, t: dt.datetime, unsubscribed: dt.datetime | None) -> dt.datetime:
        """The latest thing at or before t that a profile reflects: sign-up, deactivation, the account's
        plan or status (which move list memberships), an unsubscribe."""
        moments = [self.signup, unsubscribed, self.app_until]
        if self.account:
            a = self.account
            i = bisect.bisect_right(a.times, t)
            moments += [a.times[i - 1] if i else None, a.status_changed_at, a.trial_ends_at]
        return max(m for m in moments if m is not None and m <= t)

    def lists_at(self, t: dt.datetime, unsubscribed: dt.datetime | None) -> set[int]:
        if t < self.signup:
            return set()
        marketing = unsubscribed is None or unsubscribed > t
        if self.account is None:
            return {NEWSLETTER.id} if marketing else set()
        if not self.in_app(t):
            return set()
        status = self.account.status_at(t)
        ids = set()
        if marketing and self.opted_in:
            ids.add(NEWSLETTER.id)
        if marketing and self.role in ("owner", "admin", "manager") and status in catalog.IN_SERVICE:
            ids.add(PRODUCT_UPDATES.id)
        if self.role == "owner" and status == "trialing":
            ids.add(TRIAL_NURTURE.id)
        if self.role in ("owner", "admin") and status == "canceled":
            ids.add(CHURN_WINBACK.id)
        return ids


def _stream(window: Window, *keys):
    """A random stream keyed only by the seed and the keys, the same in every clock step."""
    return Window(window.seed, window.scale, _EPOCH, _EPOCH, False).rng(*keys)


def _traits(window: Window, person: Person) -> Person | None:
    """A person's lasting traits, the same in every step; None for an app user never synced."""
    r = _stream(window, "person", person.email)
    synced, person.opted_in = r.random() >= UNSYNCED_USERS, r.random() < NEWSLETTER_OPT_IN.get(person.role or "", 1.0)
    person.bad_address, person.nps_phase = r.random() < BAD_ADDRESS, r.random()
    return person if synced or person.account is None else None


def _load_accounts(conn) -> dict[str, Account]:
    accounts = {}
    for row in conn.execute(
            """SELECT a.id::text, a.plan, a.status, a.status_changed_at, a.trial_ends_at,
                      coalesce(t.engagement, 0.5), coalesce(t.churn_propensity, 0.2)
               FROM accounts a LEFT JOIN sim.account_truth t ON t.account_id = a.id"""):
        accounts[row[0]] = Account(row[0], row[1], row[2], *(_utc(v) for v in row[3:5]), row[5], row[6])
    for account_id, at, status in conn.execute(
            "SELECT account_id::text, occurred_at, status FROM sim.account_events ORDER BY occurred_at, id"):
        if account := accounts.get(account_id):
            account.times.append(_utc(at))
            account.statuses.append(status)
    return accounts


def _app_people(conn, window: Window, accounts: dict[str, Account], since: dt.datetime,
                prior: dict[str, dict]) -> list[Person]:
    """App users as Iterable knows them; those older than the project came in with its first import."""
    people = []
    for user_id, account_id, email, full_name, role, status, created, deleted in conn.execute(
            "SELECT id::text, account_id::text, email, full_name, role, status, created_at, deleted_at FROM users "
            "ORDER BY id"):
        created = _sec(created)
        first, _, last = full_name.partition(" ")
        if email in prior:
            signup, source = _parse(prior[email]["signupDate"]), prior[email]["signupSource"]
        else:
            signup, source = max(created, since), "Import" if created <= since else "API"
        person = _traits(window, Person(email, signup, source, first, last, user_id, accounts[account_id], role,
                                        status == "invited", created, _utc(deleted)))
        if person:
            people.append(person)
    return people


def _new_prospects(window: Window, accounts: int, lo: dt.datetime, hi: dt.datetime, since: dt.datetime,
                   taken: set[str]) -> list[Person]:
    """Newsletter sign-ups from the website; on a history build, those of before `since` come imported."""
    r = window.rng("prospects")
    days = (hi - lo) / dt.timedelta(days=1)
    expected = accounts * (PROSPECTS_PER_ACCOUNT if window.built else PROSPECTS_PER_ACCOUNT_DAY * days)
    people = []
    for _ in range(_poisson(r, expected)):
        first, last = r.choice(catalog.FIRST_NAMES), r.choice(catalog.LAST_NAMES)
        email = f"{first}.{last}.{r.randrange(16 ** 4):04x}@{r.choice(FREEMAIL)}".lower().replace(" ", "")
        at = _sec(lo + (hi - lo) * r.random())
        if email in taken:
            continue
        taken.add(email)
        imported = at <= since
        people.append(_traits(window, Person(email, since if imported else at, "Import" if imported else "Website",
                                             first, last)))
    return people


def _stored_prospects(window: Window, users: dict[str, dict]) -> list[Person]:
    return [_traits(window, Person(email, _parse(p["signupDate"]), p["signupSource"], p.get("firstName", ""),
                                   p.get("lastName", "")))
            for email, p in users.items() if "userId" not in p]


# -- sends and their follow-ups ------------------------------------------------------------------------

@dataclass(frozen=True)
class Send:
    at: dt.datetime
    campaign: Campaign
    person: Person
    ticket_id: str | None = None     # CSAT surveys: the resolved ticket, sent as transactionalData

    @cached_property
    def message_id(self) -> str:
        return stable_id("", self.campaign.id, self.person.email, self.at.isoformat(), length=32)

    def base(self, kind: str, at: dt.datetime) -> dict:
        payload = {"createdAt": _fmt(at), "email": self.person.email, "campaignId": self.campaign.id,
                   "templateId": self.campaign.template_id, "messageId": self.message_id,
                   "eventId": f"{self.message_id}:{kind}"}
        if self.person.user_id:
            payload["userId"] = self.person.user_id
        return payload

    def payload(self) -> dict:
        payload = {**self.base("emailSend", self.at), "channelId": MARKETING_CHANNEL,
                   "messageTypeId": MARKETING_CHANNEL + 1, "contentId": self.campaign.template_id + 7,
                   "emailSubject": self.campaign.series.subject}
        if self.ticket_id:
            payload["transactionalData"] = json.dumps({"ticket_id": self.ticket_id})
        return payload


@dataclass
class FollowUp:
    object_type: str
    at: dt.datetime
    payload: dict


USER_AGENTS = (
    ("Mobile", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"),
    ("Mobile", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"),
    ("Desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"),
    ("Desktop", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"),
)
NPS_COMMENTS = {
    "promoter": ("The pour tracking paid for itself in a month", "Keg alerts save us every weekend",
                 "Support is quick and friendly", ""),
    "passive": ("Good product, reports could be faster", "Works well, the app logs me out too often", ""),
    "detractor": ("Sensors drop offline too often", "Too expensive for a single bar", "Setup took far too long", ""),
}


def _delay(r, median_minutes: float, sigma: float = 1.2) -> dt.timedelta:
    return dt.timedelta(minutes=median_minutes * math.exp(sigma * r.gauss(0, 1)))


def follow_ups(window: Window, send: Send) -> list[FollowUp]:
    """What happens after a send, from a stream keyed by its messageId (see the module docstring)."""
    r = _stream(window, "follow-ups", send.message_id)
    person, series, out = send.person, send.campaign.series, []
    limit = send.at + TRAIL

    def add(object_type: str, kind: str, at: dt.datetime, **fields) -> dt.datetime:
        at = _sec(min(at, limit))
        if object_type == "custom_events":
            fields["eventUpdatedAt"] = _fmt(at)
        out.append(FollowUp(object_type, at, {**send.base(kind, at), **fields}))
        return at

    if person.bad_address:
        add("email_bounces", "emailBounce", send.at + dt.timedelta(seconds=2), recipientState="HardBounce",
            bounceMessage="550 5.1.1 The email account that you tried to reach does not exist")
        return out
    if r.random() < SOFT_BOUNCE:
        add("email_bounces", "emailBounce", send.at + dt.timedelta(seconds=40), recipientState="SoftBounce",
            bounceMessage="452 4.2.2 The email account that you tried to reach is over quota")
        return out
    e = person.engagement
    if person.account and person.account.status_at(send.at) == "canceled":
        e *= 0.5
    if r.random() >= _open_rate(e):
        return out
    device, agent = r.choice(USER_AGENTS)
    ip = ".".join(str(r.randint(1, 254)) for _ in range(4))
    seen = {"userAgent": agent, "userAgentDevice": device, "ip": ip}
    first_open = opened = send.at + _delay(r, 90)
    for n in range(1, MAX_OPENS + 1):
        if n > 1 and r.random() >= 0.3:
            break
        opened = add("email_opens", f"emailOpen:{n}", opened, **seen) + _delay(r, 240)
    if r.random() < _click_rate(e):
        clicked = first_open
        for n in range(1, 3 if r.random() < 0.3 else 2):
            href = r.randrange(len(series.paths))
            clicked = add("email_clicks", f"emailClick:{n}", clicked + _delay(r, 1.5), **seen, hrefIndex=href,
                          url=f"{WEBSITE}{series.paths[href]}?utm_source=iterable&utm_medium=email"
                              f"&utm_campaign={series.utm}")
    if series.audience in (NEWSLETTER, PRODUCT_UPDATES, CHURN_WINBACK) and r.random() < _unsubscribe_rate(e):
        add("email_unsubscribes", "emailUnSubscribe", first_open + _delay(r, 2), channelIds=[MARKETING_CHANNEL],
            emailListIds=sorted(MARKETING_LISTS), unsubSource="EmailLink")
    if series.survey and r.random() < _response_rate(e):
        add("custom_events", f"customEvent:{series.survey}", first_open + _delay(r, 3), eventName=series.survey,
            eventType="customEvent", dataFields=_survey_answer(r, series, send))
    return out


def _survey_answer(r, series: Series, send: Send) -> dict:
    e = send.person.engagement
    if series is CSAT:
        return {"score": min(5, max(1, round(r.gauss(2.4 + 2.6 * e, 0.9)))), "ticket_id": send.ticket_id}
    churn = send.person.account.churn if send.person.account else 0.3
    score = min(10, max(0, round(r.gauss(3.5 + 6.5 * e - 2.0 * churn, 1.6))))
    band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return {"score": score, "comment": r.choice(NPS_COMMENTS[band])}


# -- one clock step --------------------------------------------------------------------------------------

@dataclass
class Step:
    """What one generate() call works with: sends are new after `since`, the people Iterable knows,
    who may no longer be mailed (address -> since when), and the campaigns already in the store."""
    window: Window
    since: dt.datetime               # sends and follow-ups are new after this
    people: dict[str, Person]
    unsubscribed: dict[str, dt.datetime]
    bounced: dict[str, dt.datetime]
    prior_campaigns: dict[str, dict]

    def suppress(self, follow: FollowUp) -> None:
        email = follow.payload["email"]
        if follow.object_type == "email_unsubscribes":
            self.unsubscribed[email] = min(follow.at, self.unsubscribed.get(email, follow.at))
        elif follow.payload.get("recipientState") == "HardBounce":
            self.bounced[email] = min(follow.at, self.bounced.get(email, follow.at))

    def mailable(self, person: Person, at: dt.datetime) -> bool:
        return not any(when <= at for when in (self.bounced.get(person.email), self.unsubscribed.get(person.email))
                       if when)


def generate(conn, window: Window) -> dict[str, int]:
    """A history build creates the project HISTORY before the window and everything since; an advance
    adds what happened in the window. Returns the objects written per type."""
    end = window.end
    accounts = _load_accounts(conn)
    if window.built:
        since = _sec(window.start - HISTORY)
        prior_users, prior_campaigns = {}, {}
    else:
        since = window.start
        prior_users = store.current(conn, SOURCE, "users")
        prior_campaigns = store.current(conn, SOURCE, "campaigns")
    people = {p.email: p for p in _app_people(conn, window, accounts, since, prior_users)}
    if window.built:
        prospects = _new_prospects(window, len(accounts), since - dt.timedelta(days=300), end, since, set(people))
    else:
        prospects = _stored_prospects(window, prior_users)
        prospects += _new_prospects(window, len(accounts), since, end, since, set(people) | set(prior_users))
    people.update((p.email, p) for p in prospects)

    step = Step(window, since, people, *_suppressions(conn, window), prior_campaigns)
    follows: list[FollowUp] = []
    for send in _recent_sends(conn, step):
        follows += follow_ups(window, send)
    for f in follows:
        step.suppress(f)
    sends = []
    for candidate in sorted(_candidates(conn, step, accounts), key=lambda s: (s.at, s.campaign.id, s.person.email)):
        if step.mailable(candidate.person, candidate.at):
            sends.append(candidate)
            for f in follow_ups(window, candidate):
                step.suppress(f)
                follows.append(f)

    written = {"lists": _write_lists(conn, window, since) if window.built else 0,
               "campaigns": _write_campaigns(conn, step, sends),
               "email_sends": store.upsert(conn, SOURCE, "email_sends", (
                   ApiObject(p["eventId"], s.at, s.at, p) for s, p in ((s, s.payload()) for s in sends)))}
    for object_type in ("email_opens", "email_clicks", "email_bounces", "email_unsubscribes", "custom_events"):
        written[object_type] = store.upsert(conn, SOURCE, object_type, (
            ApiObject(f.payload["eventId"], f.at, f.at, f.payload) for f in follows
            if f.object_type == object_type and since < f.at <= end))
    written["users"] = _write_users(conn, step, prior_users)
    return written


def _suppressions(conn, window: Window) -> tuple[dict, dict]:
    """Unsubscribes and hard bounces already in the store (none on a history build)."""
    unsubscribed, bounced = {}, {}
    if window.built:
        return unsubscribed, bounced
    for object_type, email, at, state in conn.execute(
            """SELECT object_type, payload->>'email', min(created_at), payload->>'recipientState'
               FROM sim.api_objects WHERE source = %s AND object_type IN ('email_unsubscribes', 'email_bounces')
               GROUP BY 1, 2, 4""", (SOURCE,)):
        if object_type == "email_unsubscribes":
            unsubscribed[email] = _utc(at)
        elif state == "HardBounce":
            bounced[email] = _utc(at)
    return unsubscribed, bounced


def _recent_sends(conn, step: Step) -> Iterator[Send]:
    """Sends of the last TRAIL before this step, whose follow-ups may fall inside it."""
    if step.window.built:
        return
    campaigns = {int(cid): Campaign(SERIES[p["labels"][0]], _parse_ms(p["startAt"]) if "startAt" in p else None)
                 for cid, p in step.prior_campaigns.items()}
    for payload, at in conn.execute(
            "SELECT payload, created_at FROM sim.api_objects WHERE source = %s AND object_type = 'email_sends' "
            "AND created_at > %s", (SOURCE, step.since - TRAIL)):
        person, campaign = step.people.get(payload["email"]), campaigns.get(payload["campaignId"])
        if person is None or campaign is None:      # an app user deleted since: no more events
            continue
        ticket = json.loads(payload["transactionalData"])["ticket_id"] if "transactionalData" in payload else None
        yield Send(_utc(at), campaign, person, ticket)


def _candidates(conn, step: Step, accounts: dict[str, Account]) -> Iterator[Send]:
    """Every send due in (since, end], before the unsubscribe and bounce checks."""
    lo, hi, window = step.since, step.window.end, step.window
    people = list(step.people.values())
    owners = {}
    for p in people:
        if p.role == "owner":
            owners.setdefault(p.account.id, []).append(p)
    for series in BLASTS:
        for at in blast_dates(series, lo, hi):
            campaign = Campaign(series, at)
            yield from (Send(at, campaign, p) for p in people
                        if series.audience.id in p.lists_at(at, step.unsubscribed.get(p.email)))
    yield from _lifecycle_sends(conn, step, accounts, owners)
    yield from _nps_sends(step, people)
    yield from _csat_sends(window, step, accounts, people)


def _lifecycle_sends(conn, step: Step, accounts: dict[str, Account], owners: dict[str, list[Person]]) -> Iterator[Send]:
    """Trial nurture after a sign-up, win-back after a cancellation, while the account is still in that state."""
    lo, hi = step.since, step.window.end
    for account_id, kind, occurred in conn.execute(
            "SELECT account_id::text, kind, occurred_at FROM sim.account_events "
            "WHERE kind IN ('signup', 'canceled') AND occurred_at > %s AND occurred_at <= %s",
            (lo - TRAIL, hi)):
        account, occurred = accounts.get(account_id), _utc(occurred)
        if account is None:
            continue
        if kind == "signup":
            trial = (account.trial_ends_at - occurred) if account.trial_ends_at else None
            due = [(TRIAL_WELCOME, occurred + dt.timedelta(minutes=5))]
            if trial and trial > dt.timedelta(0):
                due.append((TRIAL_CHECKIN, occurred + min(trial * 0.4, dt.timedelta(days=2))))
            wanted = "trialing"
        else:
            due, wanted = [(WINBACK, occurred + dt.timedelta(hours=1))], "canceled"
        for series, at in due:
            at = _sec(at)
            if lo < at <= hi and account.status_at(at) == wanted:
                yield from (Send(at, STANDING[series.key], p) for p in owners.get(account_id, ()) if p.in_app(at))


def _quarter(t: dt.datetime) -> dt.datetime:
    return dt.datetime(t.year, 3 * ((t.month - 1) // 3) + 1, 1, tzinfo=UTC)


def _nps_sends(step: Step, people: list[Person]) -> Iterator[Send]:
    """Once a quarter, on the same day into it, each user of an active account is asked for a score."""
    lo, hi = step.since, step.window.end
    quarters, q = [], _quarter(lo)
    while q <= hi:
        following = _quarter(q + dt.timedelta(days=95))
        quarters.append((q, following))
        q = following
    campaign = STANDING[NPS.key]
    for p in people:
        if p.account is None:
            continue
        for start, stop in quarters:
            at = _sec(start + (stop - start) * p.nps_phase)
            if lo < at <= hi and p.in_app(at) and p.account.status_at(at) in ("active", "past_due"):
                yield Send(at, campaign, p)


def _csat_sends(window: Window, step: Step, accounts: dict[str, Account], people: list[Person]) -> Iterator[Send]:
    """Support tickets resolved in the step's span; the requester is asked how it went."""
    lo, hi = step.since, window.end
    days = (hi - lo) / dt.timedelta(days=1)
    staff: dict[str, list[Person]] = {}
    for p in people:
        if p.account:
            staff.setdefault(p.account.id, []).append(p)
    campaign = STANDING[CSAT.key]
    for account_id, members in sorted(staff.items()):
        r = window.rng("tickets", account_id)
        for _ in range(_poisson(r, TICKETS_PER_ACCOUNT_DAY * days)):
            at = _sec(lo + (hi - lo) * r.random())
            requester = r.choice(members)
            if at > lo and requester.in_app(at) and accounts[account_id].status_at(at) in catalog.IN_SERVICE:
                ticket = str(int(stable_id("", "ticket", account_id, at.isoformat()), 16) % 10 ** 10)
                yield Send(at, campaign, requester, ticket)


# -- writing the objects --------------------------------------------------------------------------------

def _write_lists(conn, window: Window, since: dt.datetime) -> int:
    return store.upsert(conn, SOURCE, "lists", (
        ApiObject(str(spec.id), since, since, {"id": spec.id, "name": spec.name, "createdAt": _ms(since),
                                                 "listType": "Standard"}) for spec in LISTS))


def _write_campaigns(conn, step: Step, sends: list[Send]) -> int:
    """Triggered campaigns once, with the project; blasts whenever their state may have changed."""
    lo, hi = step.since, step.window.end
    sizes: dict[int, int] = {}
    for s in sends:
        sizes[s.campaign.id] = sizes.get(s.campaign.id, 0) + 1
    objects = []
    if step.window.built:
        for campaign in STANDING.values():
            payload = _campaign_payload(campaign, lo, hi, None)
            objects.append(ApiObject(str(payload["id"]), lo, lo, payload))
    # After the first build, a blast that sent just before this step may finish inside it.
    first = lo if step.window.built else lo - BLAST_RUNS
    for series in BLASTS:
        for at in blast_dates(series, first, hi + BLAST_DRAFTED):
            c = Campaign(series, at)
            created = at - BLAST_DRAFTED
            prior = step.prior_campaigns.get(str(c.id), {})
            payload = _campaign_payload(c, created, hi, sizes.get(c.id, prior.get("sendSize")))
            objects.append(ApiObject(str(c.id), created, _parse_ms(payload["updatedAt"]), payload))
    return store.upsert(conn, SOURCE, "campaigns", objects)


def _write_users(conn, step: Step, prior: dict[str, dict]) -> int:
    """Profiles whose content changed; profileUpdatedAt is the latest change behind it, inside the step."""
    lo, hi = step.since, step.window.end
    objects = []
    for p in step.people.values():
        unsubscribed = step.unsubscribed.get(p.email)
        unsubscribed = unsubscribed if unsubscribed and unsubscribed <= hi else None
        content = {"email": p.email, "signupDate": _fmt(p.signup), "signupSource": p.signup_source,
                   "firstName": p.first_name, "lastName": p.last_name,
                   "emailListIds": sorted(p.lists_at(hi, unsubscribed)),
                   "unsubscribedChannelIds": [MARKETING_CHANNEL] if unsubscribed else []}
        if p.account:
            content.update(userId=p.user_id, account_id=p.account.id, plan=p.account.plan, role=p.role)
        before = prior.get(p.email)
        if before is not None and {k: v for k, v in before.items() if k != "profileUpdatedAt"} == content:
            continue
        changed = _sec(p.changed_by(hi, unsubscribed))
        if before is not None:
            changed = max(changed, lo + dt.timedelta(seconds=1), _parse(before["profileUpdatedAt"]) +
                          dt.timedelta(seconds=1))
        changed = min(max(changed, p.signup), hi)
        objects.append(ApiObject(p.email, p.signup, changed, {**content, "profileUpdatedAt": _fmt(changed)}))
    return store.upsert(conn, SOURCE, "users", objects)


# -- small helpers ---------------------------------------------------------------------------------------

def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _sec(t: dt.datetime) -> dt.datetime:
    """Iterable's export times have whole seconds."""
    return t.astimezone(UTC).replace(microsecond=0)


def _fmt(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +00:00")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def _parse_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, UTC)


def _poisson(r, mean: float) -> int:
    """Knuth's method; means here are small (per account and step), large ones use a normal."""
    if mean > 30:
        return max(0, round(r.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, r.random()
    while product > limit:
        k += 1
        product *= r.random()
    return k

