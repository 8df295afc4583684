"""HubSpot CRM, grown from the app database's truth: what sales, customer success and support
recorded about the same customers.

- companies: one per app account (a few accounts never got one; a few got a duplicate that is
  later archived), plus prospect companies with no app account; contacts: the accounts' owners
  and admins (archived when the app user is deleted) plus prospect contacts; owners: reps and agents.
- deals in the default pipeline: a sign-up opens a new-business deal (won at sign-up or when the
  trial converts, lost when it expires), an upgrade closes an expansion deal, a cancellation loses
  the renewal, a reactivation wins a win-back; prospect deals move through the stages and are lost
  or stall. Stage history is kept HubSpot's way, in `hs_date_entered_<stage>` / `hs_date_exited_<stage>`.
- products (plan x interval, hardware) and line items (the deals' orders, with discount and tax;
  pending, then fulfilled, cancelled or refunded).
- engagements (calls, emails, meetings, notes, tasks) on stage moves, ticket replies and
  customer-success check-ins; tickets from cancellations, failed payments, downgrades and support
  requests, with priority and first-reply / close timestamps.

A history build replays every account event and walks open objects to the end; a clock advance
reads the open objects back from the store, applies the window's events and walks them on, so
every object it writes was changed inside the window. Attributes an object keeps for life
(owner, job title, head count) come from the entity's own hash, never from the window's stream.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from include.simulation import catalog as c
from include.simulation.randomness import traits
from include.simulation.scale import get_scale
from include.simulation.sources import store
from include.simulation.sources.store import ApiObject, Window

SOURCE = "hubspot"
DAY = dt.timedelta(days=1)

# --- the portal's property definitions (name[:type], type defaults to string) -------------------------
_ENGAGEMENT_SYSTEM = ("hubspot_owner_id hs_timestamp:datetime hs_createdate:datetime hs_lastmodifieddate:datetime "
                      "hs_object_id:number")
_SYSTEM = "createdate:datetime hs_lastmodifieddate:datetime hs_object_id:number"
DEAL_STAGES = (("appointmentscheduled", "Appointment Scheduled", "0.2"), ("qualifiedtobuy", "Qualified To Buy", "0.4"),
               ("presentationscheduled", "Presentation Scheduled", "0.6"),
               ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"), ("contractsent", "Contract Sent", "0.9"),
               ("closedwon", "Closed Won", "1.0"), ("closedlost", "Closed Lost", "0.0"))
OPEN_STAGES = tuple(s for s, _, _ in DEAL_STAGES[:5])
TICKET_STAGES = (("1", "New"), ("2", "Waiting on contact"), ("3", "Waiting on us"), ("4", "Closed"))


def _schema(text: str) -> dict[str, str]:
    return dict((word.split(":") + ["string"])[:2] for word in text.split())


PROPERTIES: dict[str, dict[str, str]] = {
    "companies": _schema("name domain industry:enumeration numberofemployees:number country city "
                         "lifecyclestage:enumeration hubspot_owner_id hs_analytics_source:enumeration app_account_id "
                         "app_plan:enumeration app_billing_interval:enumeration app_seats:number "
                         "app_status:enumeration " + _SYSTEM),
    "contacts": _schema("email firstname lastname jobtitle company country lifecyclestage:enumeration "
                        "hs_lead_status:enumeration hubspot_owner_id hs_analytics_source:enumeration "
                        "hs_analytics_source_data_1 hs_analytics_source_data_2 hs_analytics_first_url app_user_id "
                        "createdate:datetime lastmodifieddate:datetime hs_object_id:number"),
    "deals": _schema("dealname dealstage:enumeration pipeline:enumeration amount:number closedate:datetime "
                     "dealtype:enumeration hubspot_owner_id deal_currency_code hs_is_closed:bool hs_is_closed_won:bool "
                     "hs_deal_stage_probability:number closed_lost_reason app_account_id "
                     + " ".join(f"hs_date_entered_{s}:datetime hs_date_exited_{s}:datetime" for s, _, _ in DEAL_STAGES)
                     + " " + _SYSTEM),
    "products": _schema("name description hs_sku price:number hs_product_type:enumeration "
                        "recurringbillingfrequency:enumeration hs_recurring_billing_period " + _SYSTEM),
    "line_items": _schema("name hs_product_id hs_sku quantity:number price:number amount:number "
                          "hs_discount_percentage:number tax:number hs_mrr:number hs_acv:number "
                          "recurringbillingfrequency:enumeration hs_recurring_billing_period "
                          "hs_line_item_currency_code order_status:enumeration " + _SYSTEM),
    "tickets": _schema("subject content hs_pipeline hs_pipeline_stage:enumeration hs_ticket_priority:enumeration "
                       "hs_ticket_category:enumeration source_type:enumeration hubspot_owner_id "
                       "first_agent_reply_date:datetime closed_date:datetime time_to_first_agent_reply:number "
                       "time_to_close:number " + _SYSTEM),
    "calls": _schema("hs_call_title hs_call_body hs_call_direction:enumeration hs_call_disposition "
                     "hs_call_status:enumeration hs_call_duration:number " + _ENGAGEMENT_SYSTEM),
    "emails": _schema("hs_email_subject hs_email_text hs_email_direction:enumeration hs_email_status:enumeration "
                      + _ENGAGEMENT_SYSTEM),
    "meetings": _schema("hs_meeting_title hs_meeting_body hs_meeting_start_time:datetime hs_meeting_end_time:datetime "
                        "hs_meeting_outcome:enumeration hs_meeting_location " + _ENGAGEMENT_SYSTEM),
    "notes": _schema("hs_note_body " + _ENGAGEMENT_SYSTEM),
    "tasks": _schema("hs_task_subject hs_task_body hs_task_status:enumeration hs_task_priority:enumeration "
                     "hs_task_type:enumeration hs_task_completion_date:datetime " + _ENGAGEMENT_SYSTEM),
}
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
# HubSpot-defined association type ids (v4) of each object type to the types it links to.
ASSOCIATIONS: dict[str, dict[str, int]] = {
    "contacts": {"companies": 279}, "deals": {"companies": 341, "contacts": 3}, "line_items": {"deals": 20},
    "tickets": {"companies": 339, "contacts": 16},
    "calls": {"companies": 182, "contacts": 194, "deals": 206},
    "emails": {"companies": 186, "contacts": 198, "deals": 210},
    "meetings": {"companies": 188, "contacts": 200, "deals": 212},
    "notes": {"companies": 190, "contacts": 202, "deals": 214},
    "tasks": {"companies": 192, "contacts": 204, "deals": 216},
}


_ASSOCIATION_TYPES = {t: {to: [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]
                          for to, type_id in links.items()} for t, links in ASSOCIATIONS.items()}
_BLANK = {t: dict.fromkeys(names) for t, names in PROPERTIES.items()}


def created_property(object_type: str) -> str:
    return "hs_createdate" if object_type in ENGAGEMENTS else "createdate"


def modified_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


# --- business facts as HubSpot spells them ------------------------------------------------------------
INDUSTRY = {"bar": "FOOD_BEVERAGES", "restaurant": "RESTAURANTS", "brewery": "WINE_AND_SPIRITS",
            "hotel": "HOSPITALITY", "nightclub": "ENTERTAINMENT", "venue": "EVENTS_SERVICES"}
COUNTRY_NAME = {"US": "United States", "CA": "Canada", "GB": "United Kingdom", "IE": "Ireland", "DE": "Germany",
                "NL": "Netherlands", "ES": "Spain", "AU": "Australia", "NZ": "New Zealand"}
TAX_RATE = {"US": 0.07, "CA": 0.13, "GB": 0.20, "IE": 0.23, "DE": 0.19, "NL": 0.21, "ES": 0.21, "AU": 0.10, "NZ": 0.15}
EMPLOYEES = {"1-10": (2, 10), "11-50": (11, 50), "51-200": (51, 200), "201-1000": (201, 1000), "1000+": (1001, 5000)}
LIFECYCLE = {"trialing": "opportunity", "active": "customer", "past_due": "customer", "canceled": "other"}
ANALYTICS_SOURCE = {"organic": "ORGANIC_SEARCH", "paid_search": "PAID_SEARCH", "paid_social": "PAID_SOCIAL",
                    "email": "EMAIL_MARKETING", "referral": "REFERRALS", "outbound": "OFFLINE",
                    "partner": "OTHER_CAMPAIGNS"}
OWNER_TITLES = ("Owner", "CEO", "Founder", "General Manager", "Managing Director")
ADMIN_TITLES = ("Operations Manager", "Bar Manager", "Director of Operations", "VP Operations", "Finance Manager",
                "IT Manager", "Marketing Manager", "VP Sales")
PROSPECT_TITLES = ("CEO", "Owner", "VP Sales", "VP Operations", "Director of Food & Beverage", "Beverage Director",
                   "General Manager", "Manager", "Assistant Manager", "Head Bartender", "Bartender",
                   "Purchasing Manager", "Head Chef")
SELF_SERVE = {"organic", "paid_search", "paid_social", "email", "referral"}
HARDWARE = {"TapSense One": 149.0, "TapSense Pro": 249.0, "FlowMeter X2": 199.0}
BILLING = {"month": ("monthly", "P1M"), "quarter": ("quarterly", "P3M"), "year": ("annually", "P12M")}
LOST_REASONS = ("Price too high", "Chose a competitor", "No budget", "Bad timing", "Went out of business",
                "No longer using the product")
CALL_OUTCOMES = (("f240bbac-87c9-4f6e-bf70-924b57d47db7", "COMPLETED", 55),    # connected
                 ("73a0d17f-1163-4015-bdd5-ec830791da20", "NO_ANSWER", 20),    # no answer
                 ("b2cf5968-551e-4856-9783-52b3da59a7d0", "COMPLETED", 15),    # left voicemail
                 ("9d9162e7-6cf3-4944-bf63-4dff82258764", "BUSY", 10))         # busy
MEETING_OUTCOMES = (("COMPLETED", 75), ("NO_SHOW", 10), ("RESCHEDULED", 5), ("CANCELED", 10))
TICKET_PRIORITIES = (("LOW", 30), ("MEDIUM", 40), ("HIGH", 22), ("URGENT", 8))
SUPPORT_TOPICS = (("PRODUCT_ISSUE", 60), ("GENERAL_INQUIRY", 25), ("FEATURE_REQUEST", 15))

# --- rates and durations at lifecycle speed 1 (small scale runs them 30 times faster) -----------------
CRM_HISTORY_DAYS = 120            # activity (prospects, support, check-ins) a history build back-fills
NO_COMPANY_SHARE = 0.04           # accounts sales never put into HubSpot
DUPLICATE_SHARE = 0.05            # accounts that got a second company record, archived once noticed
PROSPECTS_PER_SIGNUP = 1.5        # prospect companies per app sign-up
PROSPECT_DEAL_SHARE = 0.6
PROSPECT_LOSS_SHARE = 0.3         # a prospect deal's chance to be lost at each step
TICKETS_PER_ACCOUNT_DAY = 0.004
CHECKINS_PER_ACCOUNT_DAY = 0.01
STAGE_DAYS = 5.0                  # mean time in a deal stage
SALES_CYCLE_DAYS = 14.0           # sales-led deals open this long before the sign-up
EXPANSION_DAYS = 4.0              # expansion / renewal deals open this long before they close
MAX_LINE_ITEMS = 2                # a deal's orders: its subscription and, for new business, hardware
REFUND_DAYS = 30.0                # a cancellation this soon after the sale refunds its order
FIRST_REPLY_HOURS = {"URGENT": 1.0, "HIGH": 4.0, "MEDIUM": 12.0, "LOW": 24.0}
TICKET_STEP_HOURS = 24.0
TASK_DAYS = 3.0
MEETING_LEAD_DAYS = 2.0
PROSPECT_ARCHIVE_DAYS = 400.0     # junk prospect contacts get cleaned up


def hs_id(object_type: str, *keys) -> str:
    """A HubSpot-style numeric id (15 digits) derived from stable keys."""
    digest = hashlib.sha256("|".join(map(str, (object_type, *keys))).encode()).digest()
    return str(10 ** 14 + int.from_bytes(digest[:8], "big") % (9 * 10 ** 14))


def iso(t: dt.datetime | None) -> str | None:
    """HubSpot's timestamp text: UTC with milliseconds."""
    if t is None:
        return None
    if t.utcoffset():
        t = t.astimezone(dt.timezone.utc)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms(t: dt.datetime) -> dt.datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def _money(x: float) -> str:
    return f"{x:.2f}"


def _pick(rng, weighted):
    """One value from ((value..., weight), ...): the tuple without its weight, or its only value."""
    chosen = rng.choices(weighted, [w[-1] for w in weighted])[0][:-1]
    return chosen[0] if len(chosen) == 1 else chosen


# --- one CRM object ------------------------------------------------------------------------------------
@dataclass
class Record:
    type: str
    id: str
    created: dt.datetime
    updated: dt.datetime
    props: dict
    assoc: dict[str, list[str]] = field(default_factory=dict)
    archived: bool = False
    clock: dt.datetime | None = None      # how far its lifecycle has been walked (in memory only)

    def payload(self) -> dict:
        props = {**self.props, "hs_object_id": self.id, created_property(self.type): iso(self.created),
                 modified_property(self.type): iso(self.updated)}
        doc = {"id": self.id, "properties": props, "createdAt": iso(self.created), "updatedAt": iso(self.updated),
               "archived": self.archived}
        if self.archived:
            doc["archivedAt"] = iso(self.updated)        # archiving drops an object's associations
        elif self.type in ASSOCIATIONS:
            doc["associations"] = {
                to: [{"toObjectId": int(i), "associationTypes": kinds} for i in self.assoc.get(to, ())]
                for to, kinds in _ASSOCIATION_TYPES[self.type].items()}
        return doc

    @classmethod
    def from_payload(cls, object_type: str, doc: dict) -> "Record":
        system = {"hs_object_id", created_property(object_type), modified_property(object_type)}
        assoc = {to: [str(a["toObjectId"]) for a in links] for to, links in (doc.get("associations") or {}).items()}
        return cls(object_type, doc["id"], _parse(doc["createdAt"]), _parse(doc["updatedAt"]),
                   {k: v for k, v in doc["properties"].items() if k not in system}, assoc, doc["archived"])


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Crm:
    """The objects one step touches: those it creates, and those it changes, read back from the store.
    `floor` is the start of a clock advance (None for a history build, whose store is empty): objects
    read back have been walked up to it."""

    def __init__(self, conn, floor: dt.datetime | None):
        self.conn, self.floor = conn, floor
        self.records: dict[tuple[str, str], Record] = {}
        self.touched: set[tuple[str, str]] = set()
        self.absent: set[tuple[str, str]] = set()

    def new(self, object_type: str, key: tuple, at: dt.datetime, props: dict, assoc: dict | None = None,
            clock: dt.datetime | None = None) -> Record:
        unknown = props.keys() - PROPERTIES[object_type].keys()
        assert not unknown, f"{object_type}: undefined properties {unknown}"
        at = _ms(at)
        record = Record(object_type, hs_id(object_type, *key), at, at, _BLANK[object_type] | props,
                        {to: [i for i in ids if i] for to, ids in (assoc or {}).items()}, clock=max(at, clock or at))
        for name in ("hs_object_id", created_property(object_type), modified_property(object_type)):
            del record.props[name]
        self.records[(object_type, record.id)] = record
        self.touched.add((object_type, record.id))
        return record

    def change(self, record: Record, at: dt.datetime, **props) -> None:
        if any(record.props.get(k) != v for k, v in props.items()):
            record.props.update(props)
            record.updated = max(record.updated, _ms(at))
            self.touched.add((record.type, record.id))

    def archive(self, record: Record, at: dt.datetime) -> None:
        record.archived, record.updated = True, max(record.updated, _ms(at))
        self.touched.add((record.type, record.id))

    def load(self, object_type: str, where: str, args: tuple = ()) -> list[Record]:
        """Live objects of a type matching `where` (SQL on `payload`), unless already in memory."""
        if self.floor is None:
            return []
        rows = self.conn.execute(f"SELECT id, payload FROM sim.api_objects WHERE source = %s AND object_type = %s "
                                 f"AND NOT deleted AND ({where})", (SOURCE, object_type, *args)).fetchall()
        out = []
        for object_id, doc in rows:
            key = (object_type, object_id)
            if key not in self.records:
                self.records[key] = Record.from_payload(object_type, doc)
                self.records[key].clock = self.floor
            out.append(self.records[key])
        return out

    def preload(self, object_type: str, ids: list[str]) -> None:
        """Read many objects at once; get() then answers the rest as absent without asking again."""
        self.load(object_type, "id = ANY(%s)", (ids,))
        self.absent |= {(object_type, i) for i in ids} - set(self.records)

    def get(self, object_type: str, object_id: str) -> Record | None:
        key = (object_type, object_id)
        if key in self.records or key in self.absent:
            return self.records.get(key)
        found = self.load(object_type, "id = %s", (object_id,))
        if not found:
            self.absent.add(key)
        return found[0] if found else None

    def write(self) -> dict[str, int]:
        by_type: dict[str, list[ApiObject]] = {}
        for object_type, object_id in sorted(self.touched):
            r = self.records[(object_type, object_id)]
            by_type.setdefault(object_type, []).append(ApiObject(r.id, r.created, r.updated, r.payload(), r.archived))
        return {t: store.upsert(self.conn, SOURCE, t, objs) for t, objs in by_type.items()}


# --- the generator -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    id: str
    name: str
    domain: str
    industry: str
    size: str
    country: str
    plan: str
    interval: str
    seats: int
    status: str
    channel: str
    utm: tuple
    created: dt.datetime
    updated: dt.datetime
    canceled: dt.datetime | None
    trial_ends: dt.datetime | None
    city: str | None
    owner_user: str | None


@dataclass(frozen=True)
class Who:
    """Whose activity an engagement records, and the stream its details come from."""
    rng: random.Random
    owner: str
    companies: list | None
    contacts: list | None
    deals: list | None


def generate(conn, window: Window) -> dict[str, int]:
    return HubSpot(conn, window).run()


class HubSpot:
    def __init__(self, conn, window: Window):
        size = get_scale(window.scale)
        self.conn, self.window, self.speed = conn, window, size.lifecycle_speed
        self.floor = None if window.built else window.start      # what an advance writes changed after it
        # A history build back-fills CRM activity (engagements, prospects, support) for this long only.
        self.activity_from = window.end - CRM_HISTORY_DAYS / self.speed * DAY if window.built else window.start
        self.crm = Crm(conn, self.floor)
        self.sales = [hs_id("owners", "sales", n) for n in range(max(3, size.accounts // 500))]
        self.support = [hs_id("owners", "support", n) for n in range(max(2, size.accounts // 1000))]
        self.signups_per_day = size.signups_per_day
        self.accounts = self._accounts()
        self._rngs: dict[tuple, random.Random] = {}
        self._companies: dict[str, str | None] = {}

    def run(self) -> dict[str, int]:
        w = self.window
        catalog = self._catalog() if w.built else {}
        changed = [a for a in self.accounts.values() if w.built or a.updated > w.start]
        self.crm.preload("companies", [i for i in map(self.company_of, (a.id for a in changed)) if i])
        for a in changed:
            self._company(a)
        for a in self.accounts.values():
            self._duplicate_company(a)
        self._contacts()
        self._prospects()
        for event in self._events():
            self._on_event(event)
        self._support_and_checkins()
        self._walk_open()
        return catalog | self.crm.write()

    # -- helpers --------------------------------------------------------------------------------------
    def rng(self, *keys):
        """The window's stream for one object or process (a walk continues its object's stream)."""
        if keys not in self._rngs:
            self._rngs[keys] = self.window.rng(SOURCE, *keys)
        return self._rngs[keys]

    def trait(self, *keys) -> float:
        """An entity's own uniform in [0, 1), the same in every step: for what it keeps for life."""
        return traits(self.window.seed, "|".join(map(str, (SOURCE, *keys))), 1)[0]

    def lifelong(self, options, *keys):
        return options[int(self.trait(*keys) * len(options))]

    def days(self, rng, mean_days: float) -> dt.timedelta:
        return rng.expovariate(self.speed / mean_days) * DAY

    def company_of(self, account_id: str) -> str | None:
        if account_id not in self._companies:
            self._companies[account_id] = (hs_id("companies", account_id)
                                           if self.trait("company", account_id) >= NO_COMPANY_SHARE else None)
        return self._companies[account_id]

    def rep_of(self, account_id: str) -> str:
        return self.lifelong(self.sales, "rep", account_id)

    def _accounts(self) -> dict[str, Account]:
        rows = self.conn.execute(
            """WITH first_location AS (SELECT DISTINCT ON (account_id) account_id, city FROM locations
                                       ORDER BY account_id, created_at, id),
                    owner AS (SELECT DISTINCT ON (account_id) account_id, id FROM users
                              WHERE role = 'owner' AND status <> 'invited' ORDER BY account_id, created_at, id)
               SELECT a.id::text, a.name, a.domain, a.industry, a.company_size, a.country, a.plan, a.billing_interval,
                      a.seats, a.status, a.signup_channel, a.utm_source, a.utm_medium, a.utm_campaign, a.created_at,
                      a.updated_at, a.canceled_at, a.trial_ends_at, l.city, o.id::text
               FROM accounts a LEFT JOIN first_location l ON l.account_id = a.id
               LEFT JOIN owner o ON o.account_id = a.id
               ORDER BY a.id""").fetchall()
        return {r[0]: Account(*r[:11], tuple(r[11:14]), *r[14:]) for r in rows}

    # -- catalog: owners, pipelines, products (written once, by the history build) ---------------------
    def _catalog(self) -> dict[str, int]:
        """Owners and pipelines (written here) and products (returned to the step's writes)."""
        since = _ms(min((a.created for a in self.accounts.values()), default=self.window.start) - 30 * DAY)
        owners = []
        for team, ids in (("Sales", self.sales), ("Support", self.support)):
            for n, owner_id in enumerate(ids):
                first = self.lifelong(c.FIRST_NAMES, "first", owner_id)
                last = self.lifelong(c.LAST_NAMES, "last", owner_id)
                user_id = 10_000_000 + int(owner_id) % 90_000_000
                owners.append(ApiObject(owner_id, since, since, {
                    "id": owner_id, "email": f"{first}.{last}{n}@tapsense.io".lower().replace(" ", ""),
                    "type": "PERSON",
                    "firstName": first, "lastName": last, "userId": user_id, "userIdIncludingInactive": user_id,
                    "createdAt": iso(since), "updatedAt": iso(since), "archived": False,
                    "teams": [{"id": hs_id("teams", team)[:8], "name": team, "primary": True}]}))
        written = {"owners": store.upsert(self.conn, SOURCE, "owners", owners)}
        pipelines = {"deal_pipelines": ("default", "Sales Pipeline", [
                         (s, label, {"isClosed": str(s.startswith("closed")).lower(), "probability": p})
                         for s, label, p in DEAL_STAGES]),
                     "ticket_pipelines": ("0", "Support Pipeline", [
                         (s, label, {"ticketState": "CLOSED" if s == "4" else "OPEN"}) for s, label in TICKET_STAGES])}
        for object_type, (pipeline_id, label, stages) in pipelines.items():
            written[object_type] = store.upsert(self.conn, SOURCE, object_type, [ApiObject(pipeline_id, since, since, {
                "id": pipeline_id, "label": label, "displayOrder": 0, "createdAt": iso(since), "updatedAt": iso(since),
                "archived": False, "stages": [
                    {"id": s, "label": stage_label, "displayOrder": n, "metadata": meta, "createdAt": iso(since),
                     "updatedAt": iso(since), "archived": False, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}
                    for n, (s, stage_label, meta) in enumerate(stages)]})])
        for plan in c.PLANS:
            for interval, months in c.INTERVAL_MONTHS.items():
                frequency, period = BILLING[interval]
                self.crm.new("products", ("plan", plan, interval), since, {
                    "name": f"{plan.title()} plan ({frequency})",
                    "description": f"{plan.title()} plan, per seat, billed {frequency}",
                    "hs_sku": f"SUB-{plan[:3].upper()}-{interval[0].upper()}", "hs_product_type": "service",
                    "price": _money(c.PLAN_MONTHLY_PRICE_CENTS[plan] / 100 * months),
                    "recurringbillingfrequency": frequency, "hs_recurring_billing_period": period})
        for model, price in HARDWARE.items():
            self.crm.new("products", ("hardware", model), since, {
                "name": f"{model} tap sensor", "description": f"{model} IoT tap sensor, one per tap",
                "hs_sku": "HW-" + model.upper().replace(" ", "-"), "hs_product_type": "inventory",
                "price": _money(price)})
        return written

    def product(self, *key) -> Record:
        return self.crm.get("products", hs_id("products", *key))

    # -- companies and contacts: the app's accounts and users, as the CRM sync keeps them -------------
    def _company_props(self, a: Account, owner: str) -> dict:
        low, high = EMPLOYEES[a.size]
        return {"name": a.name, "domain": a.domain, "industry": INDUSTRY[a.industry],
                "numberofemployees": str(low + int(self.trait("employees", a.id, a.size) * (high - low + 1))),
                "country": COUNTRY_NAME.get(a.country, a.country), "city": a.city,
                "lifecyclestage": LIFECYCLE[a.status], "hubspot_owner_id": owner,
                "hs_analytics_source": ANALYTICS_SOURCE[a.channel], "app_account_id": a.id, "app_plan": a.plan,
                "app_billing_interval": a.interval, "app_seats": str(a.seats), "app_status": a.status}

    def _company(self, a: Account) -> None:
        company_id = self.company_of(a.id)
        if company_id is None:
            return
        props = self._company_props(a, self.rep_of(a.id))
        existing = self.crm.get("companies", company_id)
        if existing is None:
            # sales-led customers were prospects first
            lead = SALES_CYCLE_DAYS * self.trait("lead", a.id) if a.channel not in SELF_SERVE else 0.0
            record = self.crm.new("companies", (a.id,), a.created - lead / self.speed * DAY, props)
            record.updated = max(record.updated, _ms(a.updated))
        else:
            self.crm.change(existing, a.updated, **props)

    def _duplicate_company(self, a: Account) -> None:
        """A rep's hand-made second record of a customer, archived (merged) once noticed."""
        if self.trait("duplicate", a.id) >= DUPLICATE_SHARE or self.company_of(a.id) is None:
            return
        created = a.created + self.trait("duplicated", a.id) * 40 / self.speed * DAY
        archived = created + self.trait("merged", a.id) * 60 / self.speed * DAY
        w = self.window
        if created > w.end or (not w.built and not w.start < created <= w.end and not w.start < archived <= w.end):
            return
        props = self._company_props(a, self.rep_of(a.id)) | {
            "name": f"{a.name} Ltd", "app_account_id": None, "app_plan": None, "app_billing_interval": None,
            "app_seats": None, "app_status": None, "lifecyclestage": "lead", "hs_analytics_source": "OFFLINE"}
        record = self.crm.get("companies", hs_id("companies", "duplicate", a.id))
        if record is None:
            record = self.crm.new("companies", ("duplicate", a.id), created, props)
        if archived <= w.end:
            self.crm.archive(record, archived)

    def _contacts(self) -> None:
        w = self.window
        recent = "" if w.built else "AND (u.updated_at > %(start)s OR a.updated_at > %(start)s)"
        rows = self.conn.execute(
            f"""SELECT u.id::text, u.account_id::text, u.email, u.full_name, u.role, u.created_at,
                       greatest(u.updated_at, a.updated_at), u.deleted_at
                FROM users u JOIN accounts a ON a.id = u.account_id
                WHERE u.role IN ('owner', 'admin') AND u.status <> 'invited' {recent}""", {"start": w.start}).fetchall()
        self.crm.preload("contacts", [hs_id("contacts", r[0]) for r in rows])
        for user_id, account_id, email, full_name, role, created, updated, deleted in rows:
            a = self.accounts[account_id]
            first, _, last = full_name.partition(" ")
            if role == "owner":
                source = ANALYTICS_SOURCE[a.channel], a.utm[0], a.utm[2], _first_url(*a.utm)
            else:
                source = "OFFLINE", "INTEGRATION", None, None
            props = {"email": email, "firstname": first, "lastname": last or None,
                     "jobtitle": self.lifelong(OWNER_TITLES if role == "owner" else ADMIN_TITLES, "title", user_id),
                     "company": a.name,
                     "country": COUNTRY_NAME.get(a.country, a.country), "lifecyclestage": LIFECYCLE[a.status],
                     "hubspot_owner_id": self.rep_of(account_id), "hs_analytics_source": source[0],
                     "hs_analytics_source_data_1": source[1], "hs_analytics_source_data_2": source[2],
                     "hs_analytics_first_url": source[3], "app_user_id": user_id}
            existing = self.crm.get("contacts", hs_id("contacts", user_id))
            if existing is None:
                if deleted is not None and not w.built:
                    continue                          # deleted before the CRM ever saw it
                existing = self.crm.new("contacts", (user_id,), created, props,
                                        {"companies": [self.company_of(account_id)]})
                existing.updated = max(existing.updated, _ms(updated))
            elif not existing.archived:
                self.crm.change(existing, updated, **props)
            if deleted is not None and not existing.archived:
                self.crm.archive(existing, max(deleted, existing.updated))

    # -- prospects: companies sales works that never signed up --------------------------------------
    def _prospects(self) -> None:
        rng = self.rng("prospects")
        for n, at in enumerate(self._arrivals(rng, self.signups_per_day * PROSPECTS_PER_SIGNUP)):
            industry = rng.choices(c.INDUSTRIES, c.INDUSTRY_WEIGHTS)[0]
            size = rng.choices(c.COMPANY_SIZES, c.COMPANY_SIZE_WEIGHTS)[0]
            country = rng.choices(list(c.COUNTRIES), [v[0] for v in c.COUNTRIES.values()])[0]
            city = rng.choice(rng.choice(c.COUNTRIES[country][2])[1])
            name = f"{rng.choice(c.NAME_ADJECTIVES)} {rng.choice(c.NAME_NOUNS)} {rng.choice(c.VENUE_KINDS[industry])}"
            domain = name.lower().replace(" ", "") + ".com"
            channel = rng.choices(c.SIGNUP_CHANNELS, c.SIGNUP_CHANNEL_WEIGHTS)[0]
            utm = _utm(rng, channel)
            owner = rng.choice(self.sales)
            low, high = EMPLOYEES[size]
            key = ("prospect", self.window.start.isoformat(), n)
            company = self.crm.new("companies", key, at, {
                "name": name, "domain": domain, "industry": INDUSTRY[industry],
                "numberofemployees": str(rng.randint(low, high)), "country": COUNTRY_NAME[country], "city": city,
                "lifecyclestage": rng.choice(("lead", "marketingqualifiedlead", "salesqualifiedlead")),
                "hubspot_owner_id": owner, "hs_analytics_source": ANALYTICS_SOURCE[channel]})
            contacts = []
            for i in range(rng.choice((1, 1, 2, 3))):
                first, last = rng.choice(c.FIRST_NAMES), rng.choice(c.LAST_NAMES)
                contacts.append(self.crm.new("contacts", (*key, i), at, {
                    "email": f"{first}.{last}{n}{i}@{domain}".lower().replace(" ", ""), "firstname": first,
                    "lastname": last, "jobtitle": rng.choice(PROSPECT_TITLES), "company": name,
                    "country": COUNTRY_NAME[country], "lifecyclestage": company.props["lifecyclestage"],
                    "hs_lead_status": rng.choice(("NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED",
                                                  "UNQUALIFIED", "BAD_TIMING")),
                    "hubspot_owner_id": owner, "hs_analytics_source": ANALYTICS_SOURCE[channel],
                    "hs_analytics_source_data_1": utm[0], "hs_analytics_source_data_2": utm[2],
                    "hs_analytics_first_url": _first_url(*utm) if i == 0 else None},
                    {"companies": [company.id]}))
            opened = at + self.days(rng, 2.0)
            if rng.random() < PROSPECT_DEAL_SHARE and opened <= self.window.end:
                plan = rng.choices(c.PLANS, c.PLAN_WEIGHTS_BY_SIZE[size])[0]
                interval = rng.choices(c.BILLING_INTERVALS, c.INTERVAL_WEIGHTS_BY_PLAN[plan])[0]
                seats = rng.randint(*c.SEATS_BY_PLAN[plan])
                self.crm.change(company, opened, lifecyclestage="opportunity")
                items = [("subscription", plan, interval, seats),
                         ("hardware", rng.choice(list(HARDWARE)), rng.randint(2, 12))]
                self._deal(rng, key, opened, f"{name} - New business", "newbusiness", owner, company.id,
                           contacts[0].id, None, country, items)

    def _arrivals(self, rng, per_day: float) -> list[dt.datetime]:
        """Times of a Poisson process at `per_day` (already in simulated days) from the activity start."""
        times, t = [], self.activity_from
        while per_day > 0:
            t += rng.expovariate(per_day) * DAY
            if t > self.window.end:
                return times
            times.append(t)
        return times

    # -- deals and their orders -----------------------------------------------------------------------
    def _deal(self, rng, key: tuple, at: dt.datetime, name: str, dealtype: str, owner: str, company: str | None,
              contact: str | None, account_id: str | None, country: str, items: list[tuple],
              stage: str = "appointmentscheduled") -> Record:
        """A deal and its line items. items: ("subscription", plan, interval, seats) or ("hardware", model, qty).
        Its amount is the first year's value: subscriptions' ACV plus one-off hardware."""
        lines = [self._line_item(hs_id("deals", *key), n, at, item, country) for n, item in enumerate(items)]
        amount = sum(float(li.props["hs_acv"] or li.props["amount"]) for li in lines)
        deal = self.crm.new("deals", key, at, {
            "dealname": name, "dealstage": stage, "pipeline": "default", "amount": _money(amount),
            "closedate": iso(at + self.days(rng, 30.0)), "dealtype": dealtype,
            "hubspot_owner_id": owner, "deal_currency_code": "USD", "hs_is_closed": "false",
            "hs_is_closed_won": "false", "hs_deal_stage_probability": _probability(stage), "app_account_id": account_id,
            f"hs_date_entered_{stage}": iso(at)}, {"companies": [company], "contacts": [contact]}, clock=self.floor)
        return deal

    def _line_item(self, deal_id: str, n: int, at: dt.datetime, item: tuple, country: str) -> Record:
        if item[0] == "subscription":
            _, plan, interval, seats = item
            product, qty, discount = self.product("plan", plan, interval), seats, c.INTERVAL_DISCOUNT[interval] * 100
        else:
            _, model, qty = item
            product, discount = self.product("hardware", model), 10.0 if qty >= 10 else 0.0   # volume discount
        price = float(product.props["price"])
        amount = qty * price * (1 - discount / 100)
        months = {"P1M": 1, "P3M": 3, "P12M": 12}.get(product.props["hs_recurring_billing_period"])
        return self.crm.new("line_items", (deal_id, n), at, {
            "name": product.props["name"], "hs_product_id": product.id, "hs_sku": product.props["hs_sku"],
            "quantity": str(qty), "price": _money(price), "amount": _money(amount),
            "hs_discount_percentage": f"{discount:g}", "tax": _money(amount * TAX_RATE.get(country, 0.0)),
            "hs_mrr": _money(amount / months) if months else None,
            "hs_acv": _money(amount / months * 12) if months else None,
            "recurringbillingfrequency": product.props["recurringbillingfrequency"],
            "hs_recurring_billing_period": product.props["hs_recurring_billing_period"],
            "hs_line_item_currency_code": "USD", "order_status": "pending"}, {"deals": [deal_id]})

    def _line_items(self, deal: Record) -> list[Record]:
        ids = [hs_id("line_items", deal.id, n) for n in range(MAX_LINE_ITEMS)]
        return [li for li in (self.crm.get("line_items", i) for i in ids) if li is not None]

    def _move(self, deal: Record, stage: str, at: dt.datetime, reason: str | None = None) -> None:
        """Move a deal to a stage, keeping its stage history; closing settles its orders."""
        old = deal.props["dealstage"]
        changes = {"dealstage": stage, f"hs_date_exited_{old}": iso(at), f"hs_date_entered_{stage}": iso(at),
                   "hs_deal_stage_probability": _probability(stage)}
        if stage.startswith("closed"):
            won = stage == "closedwon"
            changes |= {"hs_is_closed": "true", "hs_is_closed_won": str(won).lower(), "closedate": iso(at),
                        "closed_lost_reason": None if won else reason}
            for li in self._line_items(deal):
                self.crm.change(li, at, order_status="fulfilled" if won else "cancelled")
        self.crm.change(deal, at, **changes)
        self._deal_activity(deal, stage, at)

    def _deal_activity(self, deal: Record, stage: str, at: dt.datetime) -> None:
        """What the rep did to get the deal to this stage."""
        who = Who(self.rng("deal", deal.id), deal.props["hubspot_owner_id"], deal.assoc.get("companies"),
                  deal.assoc.get("contacts"), [deal.id])
        key, name = ("deal", deal.id, stage), deal.props["dealname"]
        if stage == "qualifiedtobuy":
            self._call(key, at, who, f"Discovery call: {name}")
        elif stage == "presentationscheduled":
            self._meeting(key, at, who, f"Demo: {name}")
        elif stage == "decisionmakerboughtin":
            self._call(key, at, who, f"Decision maker call: {name}")
        elif stage == "contractsent":
            self._email(key, at, who, f"Your TapSense contract: {name}", "EMAIL")
        else:
            body = "Closed won." if stage == "closedwon" else f"Closed lost: {deal.props['closed_lost_reason']}."
            self._engagement("notes", key, at, who, {"hs_note_body": f"{name}. {body}"})

    def _walk_deal(self, deal: Record, until: dt.datetime) -> None:
        """Open deals move a stage at a time; prospects' deals may be lost at each step, and the
        account deals stop at contract sent until the account's own event closes them."""
        rng, t = self.rng("deal", deal.id), deal.clock
        prospect = deal.props["app_account_id"] is None
        while deal.props["hs_is_closed"] == "false":
            t += self.days(rng, STAGE_DAYS)
            if t > until:
                break
            if prospect and rng.random() < PROSPECT_LOSS_SHARE:
                self._move(deal, "closedlost", t, rng.choice(LOST_REASONS[:4]))
            elif deal.props["dealstage"] != OPEN_STAGES[-1]:
                self._move(deal, OPEN_STAGES[OPEN_STAGES.index(deal.props["dealstage"]) + 1], t)
            elif not prospect:
                break
        deal.clock = max(deal.clock, until)

    def _close(self, deal: Record | None, at: dt.datetime, won: bool, reason: str | None = None) -> None:
        if deal is not None and deal.props["hs_is_closed"] == "false":
            self._walk_deal(deal, at)
            self._move(deal, "closedwon" if won else "closedlost", at, reason)

    # -- account events ----------------------------------------------------------------------------------
    def _events(self) -> list[tuple]:
        w = self.window
        rows = self.conn.execute(
            """SELECT id::text, account_id::text, occurred_at, kind, plan, billing_interval, seats, status,
                      prev_plan, prev_interval, prev_seats
               FROM (SELECT e.*, lag(plan) OVER w AS prev_plan, lag(billing_interval) OVER w AS prev_interval,
                            lag(seats) OVER w AS prev_seats
                     FROM sim.account_events e WINDOW w AS (PARTITION BY account_id ORDER BY occurred_at, id)) x
               WHERE occurred_at <= %s AND (%s OR occurred_at > %s)
               ORDER BY occurred_at, id""", (w.end, w.built, w.start)).fetchall()
        if w.built:
            rows += self._implicit_conversions(rows)
            rows.sort(key=lambda r: (r[2], r[0]))
        return rows

    def _implicit_conversions(self, rows: list[tuple]) -> list[tuple]:
        """Accounts created before the history on a trial that had ended by then converted without an
        event; their new-business deal closes at the trial's end."""
        decided = {r[1] for r in rows if r[3] in ("trial_converted", "trial_expired")}
        trials = {r[1]: r for r in rows if r[3] == "signup" and r[7] == "trialing"}
        out = []
        for account_id, signup in trials.items():
            a = self.accounts[account_id]
            if account_id not in decided and a.trial_ends and a.trial_ends <= self.window.end and \
                    a.status != "trialing" and (a.canceled is None or a.canceled > a.trial_ends):
                out.append((f"implicit:{account_id}", account_id, a.trial_ends, "trial_converted", *signup[4:]))
        return out

    def _on_event(self, event: tuple) -> None:
        event_id, account_id, at, kind, plan, interval, seats, status, prev_plan, prev_interval, prev_seats = event
        a = self.accounts.get(account_id)
        company = self.company_of(account_id)
        if a is None or company is None:
            return
        rep, contact = self.rep_of(account_id), a.owner_user and hs_id("contacts", a.owner_user)
        new_deal = hs_id("deals", account_id, "new")
        subscription = ("subscription", plan, interval, seats)

        rng = self.rng("event", event_id)

        def deal(key, opened, title, dealtype, stage="appointmentscheduled", items=(subscription,)):
            return self._deal(rng, key, opened, f"{a.name} - {title}", dealtype, rep, company, contact, account_id,
                              a.country, list(items), stage)

        def ticket(subject, category, priority):
            self._ticket(rng, (event_id,), at, account_id, subject, category, priority, "EMAIL")
        if kind == "signup":
            sales_led = a.channel not in SELF_SERVE
            opened = at - self.days(rng, SALES_CYCLE_DAYS) if sales_led else at
            devices = ("hardware", rng.choice(list(HARDWARE)), rng.randint(1, 3) * c.LOCATION_WEIGHT_BY_SIZE[a.size])
            d = deal((account_id, "new"), opened, "New business", "newbusiness",
                     "qualifiedtobuy" if status == "trialing" else "appointmentscheduled", (subscription, devices))
            self._task(rng, ("deal", d.id), opened, d, f"Follow up with {a.name}")
            if status == "active":
                self._close(d, at, True)
        elif kind == "trial_converted":
            self._close(self.crm.get("deals", new_deal), at, True)
        elif kind == "trial_expired":
            self._close(self.crm.get("deals", new_deal), at, False, "Trial expired without conversion")
        elif kind == "upgrade":
            d = deal((event_id,), max(at - self.days(rng, EXPANSION_DAYS), a.created), f"Upgrade to {plan}",
                     "existingbusiness", "decisionmakerboughtin")
            self.crm.change(d, d.created, amount=_money(max(0.0, _acv(plan, interval, seats)
                                                              - _acv(prev_plan, prev_interval, prev_seats))))
            self._close(d, at, True)
        elif kind == "reactivated":
            self._close(deal((event_id,), at, "Win-back", "existingbusiness", "contractsent"), at, True)
        elif kind == "canceled":
            self._cancel(a, at, rng, deal, new_deal)
            ticket("Cancellation request", "BILLING_ISSUE", "HIGH")
        elif kind == "past_due":
            ticket("Payment failed", "BILLING_ISSUE", "HIGH")
        elif kind == "downgrade":
            ticket(f"Downgrade to {plan}", "GENERAL_INQUIRY", "MEDIUM")

    def _cancel(self, a: Account, at: dt.datetime, rng, deal, new_deal_id: str) -> None:
        """A cancellation loses an open trial deal, or the customer's renewal (refunding a recent order)."""
        first = self.crm.get("deals", new_deal_id)
        if first is not None and first.props["hs_is_closed"] == "false":
            self._close(first, at, False, "Canceled during trial")
            return
        if first is None or first.props["hs_is_closed_won"] != "true":
            return
        if at - _parse(first.props["closedate"]) <= REFUND_DAYS / self.speed * DAY:
            for li in self._line_items(first):
                self.crm.change(li, at, order_status="refunded")
        opened = max(at - self.days(rng, EXPANSION_DAYS), a.created)
        renewal = deal((new_deal_id, "renewal", iso(at)), opened, "Renewal", "existingbusiness", "contractsent")
        self._close(renewal, at, False, rng.choice(LOST_REASONS))

    # -- tickets and engagements --------------------------------------------------------------------------
    def _ticket(self, rng, key: tuple, at: dt.datetime, account_id: str, subject: str, category: str, priority: str,
                source: str) -> None:
        a = self.accounts[account_id]
        self.crm.new("tickets", key, at, {
            "subject": subject, "content": f"{subject} ({a.name})", "hs_pipeline": "0", "hs_pipeline_stage": "1",
            "hs_ticket_priority": priority, "hs_ticket_category": category, "source_type": source,
            "hubspot_owner_id": rng.choice(self.support)},
            {"companies": [self.company_of(account_id)],
             "contacts": [a.owner_user and hs_id("contacts", a.owner_user)]},
            clock=self.floor)

    def _walk_ticket(self, ticket: Record, until: dt.datetime) -> None:
        """New -> first agent reply (waiting on contact) -> the customer answers (waiting on us) or the
        agent closes it."""
        rng, t, p = self.rng("ticket", ticket.id), ticket.clock, ticket.props
        who = Who(rng, p["hubspot_owner_id"], ticket.assoc.get("companies"), ticket.assoc.get("contacts"), [])
        while p["hs_pipeline_stage"] != "4":
            hours = FIRST_REPLY_HOURS[p["hs_ticket_priority"]] if p["hs_pipeline_stage"] != "2" else TICKET_STEP_HOURS
            t += self.days(rng, hours / 24)
            if t > until:
                break
            stage = p["hs_pipeline_stage"]
            if stage == "1":
                self.crm.change(ticket, t, hs_pipeline_stage="2", first_agent_reply_date=iso(t),
                                time_to_first_agent_reply=str(_millis(t - ticket.created)))
                self._email(("ticket", ticket.id, iso(t)), t, who, f"Re: {p['subject']}", "EMAIL")
            elif stage == "2" and rng.random() < 0.4:
                self.crm.change(ticket, t, hs_pipeline_stage="3")
                self._email(("ticket", ticket.id, iso(t)), t, who, f"Re: {p['subject']}", "INCOMING_EMAIL")
            elif stage == "3" and rng.random() < 0.3:
                self.crm.change(ticket, t, hs_pipeline_stage="2")
                self._email(("ticket", ticket.id, iso(t)), t, who, f"Re: {p['subject']}", "EMAIL")
            else:
                self.crm.change(ticket, t, hs_pipeline_stage="4", closed_date=iso(t),
                                time_to_close=str(_millis(t - ticket.created)))
        ticket.clock = max(ticket.clock, until)

    def _support_and_checkins(self) -> None:
        """Support requests and customer-success check-ins from accounts in service at the time."""
        customers = [a for a in self.accounts.values() if self.company_of(a.id)]
        if not customers:
            return
        for process, rate in (("support", TICKETS_PER_ACCOUNT_DAY), ("checkin", CHECKINS_PER_ACCOUNT_DAY)):
            rng = self.rng(process)
            for n, at in enumerate(self._arrivals(rng, rate * self.speed * len(customers))):
                a = rng.choice(customers)
                if not (a.created < at and (a.canceled is None or at < a.canceled)):
                    continue
                key = (process, self.window.start.isoformat(), n)
                if process == "support":
                    topic = _pick(rng, SUPPORT_TOPICS)
                    subject = rng.choice([m for _, m, _ in c.DEVICE_ERRORS.values()]) if topic == "PRODUCT_ISSUE" \
                        else "Question about reports" if topic == "GENERAL_INQUIRY" else "Feature request"
                    self._ticket(rng, key, at, a.id, subject, topic, _pick(rng, TICKET_PRIORITIES),
                                 rng.choice(("EMAIL", "CHAT", "PHONE", "FORM")))
                else:
                    who = Who(rng, self.rep_of(a.id), [self.company_of(a.id)],
                              [a.owner_user and hs_id("contacts", a.owner_user)], [])
                    kind = rng.choices(("calls", "meetings", "notes"), (60, 20, 20))[0]
                    title = f"Check-in with {a.name}"
                    if kind == "calls":
                        self._call(key, at, who, title)
                    elif kind == "meetings":
                        self._meeting(key, at, who, f"Quarterly business review: {a.name}")
                    else:
                        self._engagement("notes", key, at, who, {"hs_note_body": f"{title}: all good, usage steady."})

    def _engagement(self, object_type: str, key: tuple, at: dt.datetime, who: "Who", props: dict) -> None:
        if at < self.activity_from:
            return                               # before the CRM's activity log begins
        self.crm.new(object_type, key, at, {"hubspot_owner_id": who.owner, "hs_timestamp": iso(at), **props},
                     {"companies": who.companies or [], "contacts": who.contacts or [], "deals": who.deals or []},
                     clock=self.floor)

    def _call(self, key: tuple, at: dt.datetime, who: "Who", title: str) -> None:
        rng = who.rng
        disposition, status = _pick(rng, CALL_OUTCOMES)
        seconds = rng.randint(120, 1800) if status == "COMPLETED" else rng.randint(5, 40)
        self._engagement("calls", key, at, who, {
            "hs_call_title": title, "hs_call_body": f"{title}.", "hs_call_direction": "OUTBOUND",
            "hs_call_disposition": disposition, "hs_call_status": status, "hs_call_duration": str(seconds * 1000)})

    def _email(self, key: tuple, at: dt.datetime, who: "Who", subject: str, direction: str) -> None:
        status = "BOUNCED" if who.rng.random() < 0.02 else "SENT"
        self._engagement("emails", key, at, who, {"hs_email_subject": subject, "hs_email_text": f"{subject}.",
                                                  "hs_email_direction": direction, "hs_email_status": status})

    def _meeting(self, key: tuple, at: dt.datetime, who: "Who", title: str) -> None:
        rng = who.rng
        start = _ms(at + self.days(rng, MEETING_LEAD_DAYS))
        end = start + dt.timedelta(minutes=rng.choice((30, 45, 60)))
        self._engagement("meetings", key, at, who, {
            "hs_timestamp": iso(start), "hs_meeting_title": title, "hs_meeting_body": f"{title}.",
            "hs_meeting_start_time": iso(start), "hs_meeting_end_time": iso(end), "hs_meeting_outcome": "SCHEDULED",
            "hs_meeting_location": rng.choice(("Zoom", "Google Meet", "On site", "Phone"))})

    def _task(self, rng, key: tuple, at: dt.datetime, deal: Record, subject: str) -> None:
        at = max(at, self.floor or at)           # a back-dated deal's follow-up is set up now
        who = Who(rng, deal.props["hubspot_owner_id"], deal.assoc.get("companies"), deal.assoc.get("contacts"),
                  [deal.id])
        self._engagement("tasks", key, at, who, {
            "hs_timestamp": iso(at + 2 * DAY / self.speed), "hs_task_subject": subject, "hs_task_body": f"{subject}.",
            "hs_task_status": "NOT_STARTED", "hs_task_priority": rng.choice(("LOW", "MEDIUM", "HIGH", "NONE")),
            "hs_task_type": rng.choice(("CALL", "EMAIL", "TODO"))})

    # -- walking what is still open to the end of the step ----------------------------------------------
    def _walk_open(self) -> None:
        end, crm = self.window.end, self.crm
        crm.load("deals", "payload->'properties'->>'hs_is_closed' = 'false'")
        crm.load("tickets", "payload->'properties'->>'hs_pipeline_stage' <> '4'")
        crm.load("tasks", "payload->'properties'->>'hs_task_status' <> 'COMPLETED'")
        crm.load("meetings", "payload->'properties'->>'hs_meeting_outcome' = 'SCHEDULED'")
        crm.load("contacts", "payload->'properties'->>'app_user_id' IS NULL")
        # deals and tickets first: their moves book the meetings and tasks the second pass settles
        for walks in ({"deals": self._walk_deal, "tickets": self._walk_ticket},
                      {"tasks": self._walk_task, "meetings": self._settle_meeting,
                       "contacts": self._walk_prospect_contact}):
            for record in list(crm.records.values()):
                if record.type in walks and not record.archived:
                    walks[record.type](record, end)

    def _walk_task(self, task: Record, until: dt.datetime) -> None:
        if task.props["hs_task_status"] == "COMPLETED":
            return
        t = task.clock + self.days(self.rng("task", task.id), TASK_DAYS)
        if t <= until:
            self.crm.change(task, t, hs_task_status="COMPLETED", hs_task_completion_date=iso(t))
        task.clock = max(task.clock, until)

    def _settle_meeting(self, meeting: Record, until: dt.datetime) -> None:
        end = _parse(meeting.props["hs_meeting_end_time"])
        if meeting.props["hs_meeting_outcome"] == "SCHEDULED" and end <= until:
            self.crm.change(meeting, max(end, meeting.updated), hs_meeting_outcome=_pick(
                self.rng("meeting", meeting.id), MEETING_OUTCOMES))

    def _walk_prospect_contact(self, contact: Record, until: dt.datetime) -> None:
        if contact.props["app_user_id"] is not None:
            return
        t = contact.clock + self.days(self.rng("contact", contact.id), PROSPECT_ARCHIVE_DAYS)
        if t <= until:
            self.crm.archive(contact, t)
        contact.clock = max(contact.clock, until)


def _probability(stage: str) -> str:
    return next(p for s, _, p in DEAL_STAGES if s == stage)


def _acv(plan: str | None, interval: str | None, seats: int | None) -> float:
    if plan is None:
        return 0.0
    return c.PLAN_MONTHLY_PRICE_CENTS[plan] / 100 * seats * 12 * (1 - c.INTERVAL_DISCOUNT[interval])


def _millis(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def _utm(rng, channel: str) -> tuple:
    options = c.UTM_BY_CHANNEL[channel]
    if options is None:
        return None, None, None
    source, medium, has_campaign = _pick(rng, options)
    return source, medium, rng.choice(c.CAMPAIGNS[source]) if has_campaign and source in c.CAMPAIGNS else None


def _first_url(source: str | None, medium: str | None, campaign: str | None) -> str | None:
    if source is None:
        return None
    if campaign is None:
        return f"https://www.tapsense.io/?utm_source={source}&utm_medium={medium}"
    return f"https://www.tapsense.io/signup?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"
