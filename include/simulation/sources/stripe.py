"""Stripe: the company's billing, replayed from the app's subscription timeline (sim.account_events).

Each account's timeline goes through a small billing engine doing what Stripe Billing would: a
customer per account, a subscription whose items are the plan price x seats and an "Additional
location" price x extra locations, invoices with their lines (prorations on mid-period changes),
invoice payments, charges (failed ones too), refunds, discounts from a few coupons, and an event
for every change whose `data.object` is the object as it then was. Objects follow Stripe's own
fixtures for API version API_VERSION (item-level current_period_*, invoice.parent).

Business facts of the billing side (see include/sources/stripe/README.md):
- Billing moved to Stripe MIGRATION_DAYS before the history starts. Older accounts were imported
  then: customer.created is the import, subscription.start_date the original sign-up, and Stripe
  invoices them from their first renewal after the import.
- A few accounts (NO_STRIPE_SHARE) are invoiced outside Stripe and have no customer.
- Prices are in the customer's currency; plan changes invoice their prorations at once; a failed
  payment (the app's past_due) restarts the billing cycle with an invoice that Stripe retries every
  RETRY_DAYS (scaled like the app's lifecycle) until the app recovers or cancels the account.
- Stripe keeps events 30 days, so a history build writes only its last 30 days of events.

Objects are immutable dicts: a change builds a new dict, so an event's snapshot never moves. An
account's events get strictly increasing seconds, so "newest event per object" is well defined.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.scale import get_scale
from include.simulation.sources import store
from include.simulation.sources.store import ApiObject, Window, stable_id

SOURCE = "stripe"
API_VERSION = "2026-10-28.endive"          # what stripe==16.1.0 sends; the mock answers with it
DAY = 86_400
EVENT_RETENTION = 30 * DAY
MIGRATION_DAYS = 90
NO_STRIPE_SHARE = 0.03
RETRY_DAYS = 5                             # Smart Retries spacing, divided by the lifecycle speed
MAX_ATTEMPTS = 4
REFUND_SHARE = 0.3                         # voluntary cancellations refunded for the unused time
LATE_SECONDS = b.LATE_COMMIT_MAX // b.SECOND   # app rows commit up to this much behind their time
END_MARGIN = 30                            # an action's events fit before the window end
COMPANY = "TapSense"

# --- the price book --------------------------------------------------------------------------------
ADDON = "additional_location"
ADDON_MONTHLY_CENTS = 1500                 # per location beyond the first, USD
PRODUCT_NAMES = {**{plan: f"{plan.title()} plan" for plan in c.PLANS}, ADDON: "Additional location"}
FX = {"usd": 1.0, "cad": 1.35, "gbp": 0.8, "eur": 0.92, "aud": 1.5, "nzd": 1.65}   # list-price factors
CURRENCIES = sorted({currency for _, currency, _ in c.COUNTRIES.values()})
SYMBOLS = {"usd": "$", "cad": "CA$", "gbp": "£", "eur": "€", "aud": "A$", "nzd": "NZ$"}
RECURRING = {"month": ("month", 1), "quarter": ("month", 3), "year": ("year", 1)}
ADJECTIVE = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}

COUPONS = {
    "WELCOME20": {"percent_off": 20.0, "duration": "repeating", "duration_in_months": 3,
                  "name": "Welcome: 20% off for 3 months"},
    "PARTNER15": {"percent_off": 15.0, "duration": "forever", "name": "Partner program: 15% off"},
    "FIRSTINVOICE50": {"percent_off": 50.0, "duration": "once", "name": "50% off the first invoice"},
    "WINBACK30": {"percent_off": 30.0, "duration": "once", "name": "Welcome back: 30% off"},
    "SALES100": {"amount_off": 10000, "currency": "usd", "duration": "once", "name": "$100 off (sales)"},
}
SIGNUP_COUPONS = {"partner": ("PARTNER15", 0.6), "email": ("WELCOME20", 0.4), "paid_search": ("WELCOME20", 0.2),
                  "paid_social": ("WELCOME20", 0.2), "referral": ("FIRSTINVOICE50", 0.4),
                  "outbound": ("SALES100", 0.3), "organic": ("WELCOME20", 0.05)}
WINBACK_COUPON = ("WINBACK30", 0.5)
DECLINES = (("card_declined", "Your card was declined.", "generic_decline"),
            ("insufficient_funds", "Your card has insufficient funds.", "insufficient_funds"),
            ("expired_card", "Your card has expired.", "expired_card"))
CARD_BRANDS = ("visa", "visa", "visa", "mastercard", "mastercard", "amex")


def unit_amount(key: str, interval: str, currency: str) -> int:
    """List price in cents: whole local units a month, times the months, less the interval discount."""
    monthly = c.PLAN_MONTHLY_PRICE_CENTS.get(key, ADDON_MONTHLY_CENTS)
    units = max(1, round(monthly * FX[currency] / 100))
    return round(units * c.INTERVAL_MONTHS[interval] * (1 - c.INTERVAL_DISCOUNT[interval])) * 100


def product_id(key: str) -> str:
    return stable_id("prod_", SOURCE, "product", key)


def price_id(key: str, interval: str, currency: str) -> str:
    return stable_id("price_", SOURCE, "price", key, interval, currency, length=24)


def _product(key: str, at: int) -> dict:
    return {"active": True, "created": at, "default_price": price_id(key, "month", "usd"),
            "description": None, "id": product_id(key), "images": [], "livemode": False,
            "marketing_features": [], "metadata": {"catalog_key": key}, "name": PRODUCT_NAMES[key],
            "object": "product", "package_dimensions": None, "shippable": None, "statement_descriptor": None,
            "tax_code": "txcd_10103001", "type": "service", "unit_label": "location" if key == ADDON else "seat",
            "updated": at, "url": None}


def _price(key: str, interval: str, currency: str, at: int) -> dict:
    unit, count = RECURRING[interval]
    amount = unit_amount(key, interval, currency)
    return {"active": True, "billing_scheme": "per_unit", "created": at, "currency": currency,
            "custom_unit_amount": None, "id": price_id(key, interval, currency), "livemode": False,
            "lookup_key": f"{key}_{interval}_{currency}",
            "metadata": {"catalog_key": key, "billing_interval": interval},
            "nickname": f"{PRODUCT_NAMES[key]}, {ADJECTIVE[interval]} ({currency.upper()})", "object": "price",
            "product": product_id(key),
            "recurring": {"interval": unit, "interval_count": count, "meter": None, "trial_period_days": None,
                          "usage_type": "licensed"},
            "tax_behavior": "exclusive", "tiers_mode": None, "transform_quantity": None, "type": "recurring",
            "unit_amount": amount, "unit_amount_decimal": str(amount)}


def _coupon(key: str, at: int, redeemed: int = 0) -> dict:
    spec = COUPONS[key]
    return {"amount_off": spec.get("amount_off"), "applies_to": None, "created": at, "currency": spec.get("currency"),
            "duration": spec["duration"], "duration_in_months": spec.get("duration_in_months"), "id": key,
            "livemode": False, "max_redemptions": None, "metadata": {}, "name": spec["name"], "object": "coupon",
            "percent_off": spec.get("percent_off"), "redeem_by": None, "times_redeemed": redeemed, "valid": True}


def _plan_of(price: dict) -> dict:
    """The legacy `plan` mirror of a price that subscription items still carry."""
    return {"active": True, "amount": price["unit_amount"], "amount_decimal": price["unit_amount_decimal"],
            "billing_scheme": "per_unit", "created": price["created"], "currency": price["currency"],
            "id": price["id"], "interval": price["recurring"]["interval"],
            "interval_count": price["recurring"]["interval_count"], "livemode": False, "metadata": price["metadata"],
            "meter": None, "nickname": price["nickname"], "object": "plan", "product": price["product"],
            "tiers_mode": None, "transform_usage": None, "trial_period_days": None, "usage_type": "licensed"}


# --- time --------------------------------------------------------------------------------------------
def _unix(ts: dt.datetime) -> int:
    return int(ts.timestamp())


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc)


def add_months(ts: int, months: int) -> int:
    """Stripe's anchored months: the anchor's day of month, or the month's last day when shorter."""
    d = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    y, m = divmod(d.month - 1 + months, 12)
    day = min(d.day, calendar.monthrange(d.year + y, m + 1)[1])
    return int(d.replace(year=d.year + y, month=m + 1, day=day).timestamp())


def period_around(anchor: int, months: int, t: int) -> tuple[int, int]:
    """The billing period [start, end) anchored at `anchor` that contains t (t >= anchor)."""
    k = max(0, (t - anchor) // (31 * DAY) // months)          # months are at most 31 days: never past t
    while add_months(anchor, (k + 1) * months) <= t:
        k += 1
    return add_months(anchor, k * months), add_months(anchor, (k + 1) * months)


def _fraction(*keys) -> float:
    """A stable draw in [0, 1) from keys: an account's traits, the same whichever window decides them."""
    return int(hashlib.sha256("|".join(map(str, keys)).encode()).hexdigest()[:13], 16) / 16 ** 13


def _slot(item: dict) -> str:
    """Which of a subscription's two items this is: the plan, or the location add-on."""
    return ADDON if item["price"]["metadata"]["catalog_key"] == ADDON else "plan"


def _money(cents: int, currency: str) -> str:
    return f"{SYMBOLS[currency]}{cents / 100:,.2f}"


def _per(interval: str) -> str:
    return {"month": "month", "quarter": "3 months", "year": "year"}[interval]


# --- what the app knows ------------------------------------------------------------------------------
@dataclass
class Account:
    id: str
    name: str
    country: str
    channel: str
    status: str
    trial_ends_at: int | None
    status_changed_at: int
    created_at: int
    email: str | None
    owner: str | None
    city: str | None
    locations: list[tuple[int, int | None]] = field(default_factory=list)   # (opened, closed)

    @property
    def currency(self) -> str:
        return c.COUNTRIES[self.country][1]

    def locations_at(self, t: int) -> int:
        return sum(1 for opened, closed in self.locations if opened <= t and (closed is None or closed > t))


@dataclass(frozen=True)
class Happening:
    """One step of an account's billing: an app event (its idempotency key), or Stripe's own work."""
    at: int
    key: str
    kind: str
    plan: str = ""
    interval: str = ""
    seats: int = 0
    status: str = ""
    from_app: bool = False


def _accounts(conn, ids: list[str] | None) -> dict[str, Account]:
    rows = conn.execute(
        """SELECT a.id::text, a.name, a.country, a.signup_channel, a.status, a.trial_ends_at, a.status_changed_at,
                  a.created_at, o.email, o.full_name, l.city
           FROM accounts a
           LEFT JOIN LATERAL (SELECT email, full_name FROM users u WHERE u.account_id = a.id AND u.role = 'owner'
                              ORDER BY u.created_at LIMIT 1) o ON true
           LEFT JOIN LATERAL (SELECT city FROM locations l WHERE l.account_id = a.id
                              ORDER BY l.created_at LIMIT 1) l ON true
           WHERE %(ids)s::uuid[] IS NULL OR a.id = ANY(%(ids)s::uuid[])""", {"ids": ids}).fetchall()
    accounts = {r[0]: Account(r[0], r[1], r[2], r[3], r[4], r[5] and _unix(r[5]), _unix(r[6]), _unix(r[7]),
                              r[8], r[9], r[10]) for r in rows}
    for account_id, opened, closed in conn.execute(
            """SELECT account_id::text, created_at, CASE WHEN status = 'closed' THEN updated_at END FROM locations
               WHERE %(ids)s::uuid[] IS NULL OR account_id = ANY(%(ids)s::uuid[])""", {"ids": ids}):
        accounts[account_id].locations.append((_unix(opened), closed and _unix(closed)))
    return accounts


def _timeline(conn, since: int | None) -> dict[str, list[Happening]]:
    rows = conn.execute(
        """SELECT account_id::text, occurred_at, id::text, kind, plan, billing_interval, seats, status
           FROM sim.account_events WHERE %(since)s::bigint IS NULL OR occurred_at >= to_timestamp(%(since)s)
           ORDER BY occurred_at, id""", {"since": since}).fetchall()
    out: dict[str, list[Happening]] = defaultdict(list)
    for account_id, at, key, kind, plan, interval, seats, status in rows:
        out[account_id].append(Happening(_unix(at), key, kind, plan, interval, seats, status, from_app=True))
    return out


# --- writing -------------------------------------------------------------------------------------------
class Sink:
    """The objects and events a generate() call writes; the last version of an object wins."""

    def __init__(self, events_from: int):
        self.objects: dict[str, dict[str, ApiObject]] = defaultdict(dict)
        self.events_from = events_from

    def put(self, object_type: str, obj: dict, at: int, created: int | None = None, deleted: bool = False) -> None:
        created = created if created is not None else obj.get("created", obj.get("start"))
        self.objects[object_type][obj["id"]] = ApiObject(obj["id"], _utc(created), _utc(at), obj, deleted)

    def event(self, event_id: str, at: int, event_type: str, data: dict, request: dict) -> None:
        if at >= self.events_from:
            self.put("events", {"api_version": API_VERSION, "created": at, "data": data, "id": event_id,
                                "livemode": False, "object": "event", "pending_webhooks": 0, "request": request,
                                "type": event_type}, at)

    def flush(self, conn) -> dict[str, int]:
        return {object_type: store.upsert(conn, SOURCE, object_type, objects.values())
                for object_type, objects in sorted(self.objects.items())}


class Books:
    """What every ledger of one generate() call shares: the window, the price book, the coupons."""

    def __init__(self, conn, window: Window):
        self.window = window
        self.start, self.end = _unix(window.start), _unix(window.end)
        self.retry_gap = int(RETRY_DAYS * DAY / get_scale(window.scale).lifecycle_speed)
        self.sink = Sink(self.end - EVENT_RETENTION if window.built else 0)
        if window.built:
            self.migration = self.start - MIGRATION_DAYS * DAY
            self._write_catalog(self.migration)
            self.prices = {i: o.payload for i, o in self.sink.objects["prices"].items()}
            self.coupons = {i: o.payload for i, o in self.sink.objects["coupons"].items()}
        else:
            self.prices = store.current(conn, SOURCE, "prices")
            self.coupons = store.current(conn, SOURCE, "coupons")
        self.plans = {pid: _plan_of(p) for pid, p in self.prices.items()}

    def _write_catalog(self, ready: int) -> None:
        """Products, prices and coupons, set up one an hour in the days before `ready`."""
        builders = [lambda at, k=key: _product(k, at) for key in (*c.PLANS, ADDON)]
        builders += [lambda at, k=key, i=interval, cur=currency: _price(k, i, cur, at)
                     for key in (*c.PLANS, ADDON) for interval in c.BILLING_INTERVALS for currency in CURRENCIES]
        builders += [lambda at, k=key: _coupon(k, at) for key in COUPONS]
        for n, build in enumerate(builders):
            obj = build(ready - (len(builders) - n) * 3600)
            self.sink.put(f"{obj['object']}s", obj, obj["created"])

    def price(self, key: str, interval: str, currency: str) -> dict:
        return self.prices[price_id(key, interval, currency)]

    def redeem(self, coupon_id: str, at: int) -> None:
        """times_redeemed moves without an event, as in Stripe: the extractor re-lists coupons."""
        coupon = self.coupons[coupon_id]
        self.coupons[coupon_id] = {**coupon, "times_redeemed": coupon["times_redeemed"] + 1}
        self.sink.put("coupons", self.coupons[coupon_id], at)

    def billed_elsewhere(self, account: Account) -> bool:
        return _fraction(self.window.seed, SOURCE, "no_stripe", account.id) < NO_STRIPE_SHARE


# --- one account's billing ----------------------------------------------------------------------------
class Ledger:
    """Replays one account's happenings; holds its live Stripe objects (None when there are none)."""

    def __init__(self, books: Books, account: Account, state: dict | None = None, now: int = 0):
        state = state or {}
        self.books, self.acct = books, account
        self.customer: dict | None = state.get("customer")
        self.sub: dict | None = state.get("subscription")
        self.invoice: dict | None = state.get("invoice")          # the open (unpaid) invoice, if any
        self.payment: dict | None = state.get("payment")          # its invoice payment
        self.charge: dict | None = state.get("charge")            # the latest successful charge
        self.discounts: dict[str, dict] = state.get("discounts", {})
        self.now = now
        self._card_details: dict | None = None

    # -- plumbing ----------------------------------------------------------------------------------
    def begin(self, happening: Happening) -> None:
        self.key, self.n = happening.key, 0
        self.rng = self.books.window.rng(SOURCE, happening.key)
        self.request = ({"id": stable_id("req_", happening.key), "idempotency_key": happening.key}
                        if happening.from_app else {"id": None, "idempotency_key": None})
        self.now = max(min(happening.at, self.books.end - END_MARGIN), self.now + 1)

    def emit(self, object_type: str, obj: dict, event_type: str, before: dict | None = None,
             deleted: bool = False, created: int | None = None) -> None:
        at = min(self.now, self.books.end)
        self.books.sink.put(object_type, obj, at, created=created, deleted=deleted)
        data = {"object": obj}
        if before is not None and event_type.endswith(".updated"):
            data["previous_attributes"] = {k: before.get(k) for k in obj if obj[k] != before.get(k)}
        self.books.sink.event(stable_id("evt_", self.key, self.n, length=24), at, event_type, data, self.request)
        self.n += 1
        self.now += 1

    def new_id(self, prefix: str, *keys, length: int = 24) -> str:
        return stable_id(prefix, self.key, *keys, length=length)

    # -- the happenings ------------------------------------------------------------------------------
    def apply(self, h: Happening) -> None:
        self.run_until(h.at)
        if self.customer is None and h.kind not in ("signup", "import"):
            return
        handler = getattr(self, f"on_{h.kind}", None)
        if handler:
            self.begin(h)
            handler(h)

    def run_until(self, t: int) -> None:
        """Stripe's own work up to t: renewals of active subscriptions and payment retries."""
        while self.sub is not None:
            due = []
            if self.sub["status"] == "active":
                due.append((self._period()[1], "renew"))
            if self.invoice is not None and self.invoice["next_payment_attempt"]:
                due.append((self.invoice["next_payment_attempt"], "retry"))
            if not due or min(due)[0] > t:
                return
            at, what = min(due)
            if what == "renew":
                self.begin(Happening(at, f"renew:{self.sub['id']}:{at}", what))
                self.renew()
            else:
                self.begin(Happening(at, f"retry:{self.invoice['id']}:{self.invoice['attempt_count']}", what))
                self._charge_invoice(succeed=False)

    def on_signup(self, h: Happening) -> None:
        if self.books.billed_elsewhere(self.acct):
            return
        self._create_customer()
        coupon, share = SIGNUP_COUPONS.get(self.acct.channel, (None, 0.0))
        fits = coupon is not None and COUPONS[coupon].get("currency", self.acct.currency) == self.acct.currency
        self._start(h, self.acct.trial_ends_at if h.status == "trialing" else None,
                    coupon if fits and self.rng.random() < share else None)

    def on_import(self, h: Happening) -> None:
        """The migration: the customer, and a subscription for accounts then in service."""
        if h.status == "closed" or self.books.billed_elsewhere(self.acct):
            return
        self._create_customer()
        if h.status == "canceled":
            return
        trial_end = self.acct.trial_ends_at
        trialing = trial_end is not None and trial_end > h.at
        anchor = trial_end or self.acct.created_at          # paid periods count from the trial's end
        period = (h.at, anchor) if trialing else period_around(anchor, c.INTERVAL_MONTHS[h.interval], h.at)
        sid = self.new_id("sub_")
        self.sub = self._subscription(sid, "trialing" if trialing else "active", anchor,
                                      self._items(sid, h.plan, h.interval, h.seats, period, h.at, {}), [],
                                      start_date=self.acct.created_at,
                                      trial=(self.acct.created_at, trial_end) if trial_end else None)
        self.emit("subscriptions", self.sub, "customer.subscription.created")

    def on_trial_converted(self, h: Happening) -> None:
        if self.sub is not None and self.sub["status"] == "trialing":
            self._change(status="active", restart=True, reason="subscription_cycle")

    def on_trial_expired(self, h: Happening) -> None:
        self._cancel("cancellation_requested", refund=False)

    def on_upgrade(self, h: Happening) -> None:
        if self.sub is not None and self.sub["status"] == "active":
            self._change(plan=h.plan, seats=h.seats, reason="subscription_update")

    on_downgrade = on_seats_changed = on_upgrade

    def on_interval_changed(self, h: Happening) -> None:
        if self.sub is not None and self.sub["status"] == "active":
            self._change(interval=h.interval, restart=True, reason="subscription_update")

    def on_past_due(self, h: Happening) -> None:
        """The renewal fails: the cycle restarts now with an invoice whose payment is declined."""
        if self.sub is not None and self.sub["status"] in ("active", "trialing"):
            self._change(status="past_due", restart=True, reason="subscription_update", pay=False)

    def on_recovered(self, h: Happening) -> None:
        if self.sub is None or self.sub["status"] != "past_due":
            return
        if self.invoice is not None:
            self._charge_invoice(succeed=True)
        before, self.sub = self.sub, {**self.sub, "status": "active"}
        self.emit("subscriptions", self.sub, "customer.subscription.updated", before)
        self._update_customer(delinquent=False)

    def on_canceled(self, h: Happening) -> None:
        dunning = self.sub is not None and self.sub["status"] == "past_due"
        self._cancel("payment_failed" if dunning else "cancellation_requested", refund=not dunning)

    def on_reactivated(self, h: Happening) -> None:
        if self.sub is not None and self.sub["status"] != "canceled":
            return
        coupon, share = WINBACK_COUPON
        self._start(h, None, coupon if self.rng.random() < share else None)

    def on_closed(self, h: Happening) -> None:
        if self.sub is not None and self.sub["status"] != "canceled":
            self._cancel("cancellation_requested", refund=False)
        stub = {"deleted": True, "id": self.customer["id"], "object": "customer"}
        self.emit("customers", stub, "customer.deleted", deleted=True, created=self.customer["created"])
        self.customer = self.sub = self.invoice = None

    # -- customers ------------------------------------------------------------------------------------
    def _create_customer(self) -> None:
        cid = stable_id("cus_", self.books.window.seed, SOURCE, "customer", self.acct.id)
        self.customer = {
            "address": {"city": self.acct.city, "country": self.acct.country, "line1": None, "line2": None,
                        "postal_code": None, "state": None},
            "balance": 0, "created": self.now, "currency": self.acct.currency, "default_source": None,
            "delinquent": False, "description": None, "discount": None, "email": self.acct.email, "id": cid,
            "invoice_prefix": stable_id("", cid, "prefix", length=8).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": stable_id("pm_", cid),
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": {"account_id": self.acct.id}, "name": self.acct.name,
            "next_invoice_sequence": 1, "object": "customer", "phone": None, "preferred_locales": [],
            "shipping": None, "tax_exempt": "none", "test_clock": None}
        self.emit("customers", self.customer, "customer.created")

    def _update_customer(self, **changes) -> None:
        if all(self.customer.get(k) == v for k, v in changes.items()):
            return
        before, self.customer = self.customer, {**self.customer, **changes}
        self.emit("customers", self.customer, "customer.updated", before)

    # -- subscriptions --------------------------------------------------------------------------------
    def _interval(self) -> str:
        return self._plan_item()["price"]["metadata"]["billing_interval"]

    def _plan_item(self) -> dict:
        return self._slots()["plan"]

    def _period(self) -> tuple[int, int]:
        item = self.sub["items"]["data"][0]
        return item["current_period_start"], item["current_period_end"]

    def _items(self, sid: str, plan: str, interval: str, seats: int, period: tuple[int, int], at: int,
               current: dict[str, dict]) -> list[dict]:
        """The plan price x seats, and the add-on x locations beyond the first; items keep their ids."""
        wanted = [("plan", plan, seats), (ADDON, ADDON, self.acct.locations_at(at) - 1)]
        items = []
        for slot, key, quantity in wanted:
            if quantity < 1:
                continue
            price = self.books.price(key, interval, self.acct.currency)
            old = current.get(slot)
            items.append({"billing_thresholds": None, "created": old["created"] if old else at,
                          "current_period_end": period[1], "current_period_start": period[0], "discounts": [],
                          "id": old["id"] if old else stable_id("si_", sid, slot), "metadata": {},
                          "object": "subscription_item",
                          "plan": self.books.plans[price["id"]], "price": price, "quantity": quantity,
                          "subscription": sid, "tax_rates": []})
        return items

    def _slots(self) -> dict[str, dict]:
        return {_slot(i): i for i in self.sub["items"]["data"]}

    def _subscription(self, sid: str, status: str, anchor: int, items: list[dict], discounts: list[str],
                      start_date: int, trial: tuple[int, int] | None, latest_invoice: str | None = None) -> dict:
        return {"application": None, "application_fee_percent": None,
                "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
                "billing_cycle_anchor": anchor, "billing_cycle_anchor_config": None,
                "billing_mode": {"flexible": None, "type": "classic"}, "billing_schedules": [],
                "billing_thresholds": None, "cancel_at": None, "cancel_at_period_end": False, "canceled_at": None,
                "cancellation_details": {"comment": None, "feedback": None, "reason": None},
                "collection_method": "charge_automatically", "created": self.now, "currency": self.acct.currency,
                "customer": self.customer["id"], "customer_account": None, "days_until_due": None,
                "default_payment_method": None, "default_source": None, "default_tax_rates": [], "description": None,
                "discounts": discounts, "ended_at": None, "id": sid,
                "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
                "items": self._item_list(sid, items), "latest_invoice": latest_invoice, "livemode": False,
                "managed_payments": {"enabled": False}, "metadata": {"account_id": self.acct.id},
                "next_pending_invoice_item_invoice": None, "object": "subscription", "on_behalf_of": None,
                "pause_collection": None,
                "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                                     "save_default_payment_method": "off"},
                "pending_invoice_item_interval": None, "pending_setup_intent": None, "pending_update": None,
                "schedule": None, "start_date": start_date, "status": status, "test_clock": None,
                "transfer_data": None, "trial_end": trial[1] if trial else None,
                "trial_settings": {"end_behavior": {"missing_payment_method": "cancel"}},
                "trial_start": trial[0] if trial else None}

    @staticmethod
    def _item_list(sid: str, items: list[dict]) -> dict:
        return {"data": items, "has_more": False, "object": "list", "total_count": len(items),
                "url": f"/v1/subscription_items?subscription={sid}"}

    def _start(self, h: Happening, trial_end: int | None, coupon: str | None) -> None:
        """A new subscription with its first invoice: $0 for a trial, the first period otherwise."""
        at, sid = self.now, self.new_id("sub_")
        trialing = trial_end is not None and trial_end > at
        period = (at, trial_end) if trialing else (at, add_months(at, c.INTERVAL_MONTHS[h.interval]))
        items = self._items(sid, h.plan, h.interval, h.seats, period, at, {})
        discount = self._discount(coupon, sid) if coupon else None
        invoice_id = self.new_id("in_")
        self.sub = self._subscription(sid, "trialing" if trialing else "active", period[1] if trialing else at,
                                      items, [discount["id"]] if discount else [], at,
                                      (at, trial_end) if trialing else None, invoice_id)
        self.emit("subscriptions", self.sub, "customer.subscription.created")
        if discount:
            self.emit("discounts", discount, "customer.discount.created")
        lines = [self._line(invoice_id, i, n, period, trial=trialing) for n, i in enumerate(items)]
        self._bill(invoice_id, "subscription_create", lines)

    def _change(self, *, plan: str | None = None, interval: str | None = None, seats: int | None = None,
                status: str | None = None, restart: bool = False, reason: str, pay: bool = True) -> None:
        """Update the items and invoice the difference at once (proration_behavior=always_invoice):
        unused and remaining time for what changed, or, when the cycle restarts now (trial end,
        interval change, failed renewal), credit for the unused period and the whole new one."""
        sid, slots, period = self.sub["id"], self._slots(), self._period()
        plan_item = slots["plan"]
        interval = interval or self._interval()
        new_period = (self.now, add_months(self.now, c.INTERVAL_MONTHS[interval])) if restart else period
        items = self._items(sid, plan or plan_item["price"]["metadata"]["catalog_key"], interval,
                            seats or plan_item["quantity"], new_period, self.now, slots)
        invoice_id = self.new_id("in_")
        if restart:
            lines = [] if self.sub["status"] == "trialing" else \
                [self._prorated(invoice_id, n, item, -1, period) for n, item in enumerate(slots.values())]
            lines += [self._line(invoice_id, item, len(lines) + n, new_period) for n, item in enumerate(items)]
        else:
            lines = self._prorations(invoice_id, slots, items, period)
        before = self.sub
        self.sub = {**self.sub, "items": self._item_list(sid, items),
                    "latest_invoice": invoice_id if lines else self.sub["latest_invoice"],
                    "status": status or self.sub["status"],
                    "billing_cycle_anchor": self.now if restart else self.sub["billing_cycle_anchor"]}
        self.emit("subscriptions", self.sub, "customer.subscription.updated", before)
        if lines:
            self._bill(invoice_id, reason, lines, pay=pay)

    def renew(self) -> None:
        """A new period on the anchor's schedule; the add-on is trued up to the locations open now."""
        start = self._period()[1]
        end = period_around(self.sub["billing_cycle_anchor"], c.INTERVAL_MONTHS[self._interval()], start)[1]
        slots = self._slots()
        plan_item = slots["plan"]
        items = self._items(self.sub["id"], plan_item["price"]["metadata"]["catalog_key"], self._interval(),
                            plan_item["quantity"], (start, end), start, slots)
        invoice_id = self.new_id("in_")
        before = self.sub
        self.sub = {**self.sub, "items": self._item_list(self.sub["id"], items), "latest_invoice": invoice_id}
        self.emit("subscriptions", self.sub, "customer.subscription.updated", before)
        self._bill(invoice_id, "subscription_cycle",
                   [self._line(invoice_id, item, n, (start, end)) for n, item in enumerate(items)])

    def _cancel(self, reason: str, refund: bool) -> None:
        if self.sub is None or self.sub["status"] == "canceled":
            return
        if self.invoice is not None:
            before, self.invoice = self.invoice, {
                **self.invoice, "status": "uncollectible", "next_payment_attempt": None,
                "status_transitions": {**self.invoice["status_transitions"], "marked_uncollectible_at": self.now}}
            self.emit("invoices", self.invoice, "invoice.marked_uncollectible", before)
            self.invoice = None
        elif refund and self.charge is not None and self.rng.random() < REFUND_SHARE:
            self._refund_unused()
        self.sub = {**self.sub, "status": "canceled", "canceled_at": self.now, "ended_at": self.now,
                    "cancellation_details": {"comment": None, "feedback": None, "reason": reason}}
        self.emit("subscriptions", self.sub, "customer.subscription.deleted")

    # -- discounts ------------------------------------------------------------------------------------
    def _discount(self, coupon: str, sid: str) -> dict:
        spec, at = COUPONS[coupon], self.now
        self.books.redeem(coupon, at)
        discount = {"checkout_session": None, "customer": self.customer["id"], "customer_account": None,
                    "end": add_months(at, spec["duration_in_months"]) if spec["duration"] == "repeating" else None,
                    "id": self.new_id("di_"), "invoice": None, "invoice_item": None, "object": "discount",
                    "promotion_code": None, "source": {"coupon": coupon, "type": "coupon"}, "start": at,
                    "subscription": sid, "subscription_item": None}
        self.discounts[discount["id"]] = discount
        return discount

    def _discounts_for(self, at: int) -> tuple[list[dict], list[dict]]:
        """(discounts applying to an invoice at `at`, discounts that have run out and come off)."""
        applying, expired = [], []
        for discount_id in self.sub["discounts"]:
            discount = self.discounts[discount_id]
            (expired if discount["end"] is not None and discount["end"] <= at else applying).append(discount)
        return applying, expired

    def _apply_discounts(self, lines: list[dict], discounts: list[dict]) -> list[dict]:
        out = []
        left = {d["id"]: COUPONS[d["source"]["coupon"]].get("amount_off") or 0 for d in discounts}
        for line in lines:
            amounts = []
            for d in discounts:
                coupon = COUPONS[d["source"]["coupon"]]
                if coupon.get("percent_off"):
                    amount = round(line["amount"] * coupon["percent_off"] / 100)
                else:
                    amount = max(0, min(left[d["id"]], line["amount"]))
                    left[d["id"]] -= amount
                if amount:
                    amounts.append({"amount": amount, "discount": d["id"]})
            out.append({**line, "discount_amounts": amounts})
        return out

    # -- invoices -------------------------------------------------------------------------------------
    def _line(self, invoice_id: str, item: dict, n: int, period: tuple[int, int], trial: bool = False) -> dict:
        price, quantity = item["price"], item["quantity"]
        name = PRODUCT_NAMES[price["metadata"]["catalog_key"]]
        amount = 0 if trial else price["unit_amount"] * quantity
        description = (f"Trial period for {name}" if trial else
                       f"{quantity} × {name} (at {_money(price['unit_amount'], price['currency'])} / "
                       f"{_per(price['metadata']['billing_interval'])})")
        return self._line_item(invoice_id, n, item, amount, quantity, description, period, proration=False)

    def _prorations(self, invoice_id: str, old: dict[str, dict], new: list[dict],
                    period: tuple[int, int]) -> list[dict]:
        """Unused time on each item that changed and remaining time on its replacement."""
        new_slots = {_slot(i): i for i in new}
        lines = []
        for slot in ("plan", ADDON):
            was, now = old.get(slot), new_slots.get(slot)
            if was and now and (was["price"]["id"], was["quantity"]) == (now["price"]["id"], now["quantity"]):
                continue
            for item, sign in ((was, -1), (now, 1)):
                if item is not None:
                    lines.append(self._prorated(invoice_id, len(lines), item, sign, period))
        return lines

    def _prorated(self, invoice_id: str, n: int, item: dict, sign: int, period: tuple[int, int]) -> dict:
        start, end = period
        left = max(0.0, min(1.0, (end - self.now) / max(1, end - start)))
        name = PRODUCT_NAMES[item["price"]["metadata"]["catalog_key"]]
        day = _utc(self.now).strftime("%d %b %Y")
        words = "Unused time on" if sign < 0 else "Remaining time on"
        amount = sign * round(item["price"]["unit_amount"] * item["quantity"] * left)
        return self._line_item(invoice_id, n, item, amount, item["quantity"],
                               f"{words} {item['quantity']} × {name} after {day}", (self.now, end), proration=True)

    def _line_item(self, invoice_id: str, n: int, item: dict, amount: int, quantity: int, description: str,
                   period: tuple[int, int], proration: bool) -> dict:
        price = item["price"]
        return {"amount": amount, "currency": price["currency"], "description": description, "discount_amounts": [],
                "discountable": True, "discounts": [], "id": stable_id("il_", invoice_id, n, length=24),
                "invoice": invoice_id, "livemode": False, "metadata": {}, "object": "line_item",
                "parent": {"invoice_item_details": None,
                           "subscription_item_details": {"invoice_item": None, "proration": proration,
                                                         "proration_details": {"credited_items": None},
                                                         "subscription": item["subscription"],
                                                         "subscription_item": item["id"]},
                           "type": "subscription_item_details"},
                "period": {"end": period[1], "start": period[0]}, "pretax_credit_amounts": [],
                "pricing": {"price_details": {"price": price["id"], "product": price["product"]},
                            "type": "price_details", "unit_amount_decimal": price["unit_amount_decimal"]},
                "quantity": quantity, "quantity_decimal": str(quantity), "subtotal": amount, "taxes": []}

    def _bill(self, invoice_id: str, reason: str, lines: list[dict], pay: bool = True) -> None:
        """Create, finalize and collect an invoice: drawn from the customer's credit balance first,
        then charged to the card (declined when pay is False). A negative total becomes credit."""
        applying, expired = self._discounts_for(self.now)
        lines = self._apply_discounts(lines, applying)
        subtotal = sum(line["amount"] for line in lines)
        discount_totals = defaultdict(int)
        for line in lines:
            for d in line["discount_amounts"]:
                discount_totals[d["discount"]] += d["amount"]
        total = subtotal - sum(discount_totals.values())
        balance = self.customer["balance"]
        applied = max(balance, -total) if total >= 0 else 0
        amount_due = total + applied if total >= 0 else 0
        ending_balance = balance - applied if total >= 0 else balance + total
        cust = self.customer
        invoice = {
            "account_country": "US", "account_name": COMPANY, "account_tax_ids": None, "amount_due": amount_due,
            "amount_overpaid": 0, "amount_paid": 0, "amount_remaining": amount_due, "amount_shipping": 0,
            "application": None, "attempt_count": 0, "attempted": False, "auto_advance": True,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None, "provider": None,
                              "status": None},
            "automatically_finalizes_at": None, "billing_reason": reason, "collection_method": "charge_automatically",
            "created": self.now, "currency": self.acct.currency, "custom_fields": None, "customer": cust["id"],
            "customer_account": None, "customer_address": cust["address"], "customer_email": cust["email"],
            "customer_name": cust["name"], "customer_phone": None, "customer_shipping": None,
            "customer_tax_exempt": "none", "customer_tax_ids": [], "default_payment_method": None,
            "default_source": None, "default_tax_rates": [], "description": None,
            "discounts": [d["id"] for d in applying], "due_date": None, "effective_at": None,
            "ending_balance": None, "footer": None, "from_invoice": None, "hosted_invoice_url": None,
            "id": invoice_id, "invoice_pdf": None, "issuer": {"type": "self"}, "last_finalization_error": None,
            "latest_revision": None,
            "lines": {"data": lines, "has_more": False, "object": "list", "total_count": len(lines),
                      "url": f"/v1/invoices/{invoice_id}/lines"},
            "livemode": False, "metadata": {}, "next_payment_attempt": None, "number": None, "object": "invoice",
            "on_behalf_of": None,
            "parent": {"quote_details": None, "subscription_details": {"metadata": self.sub["metadata"],
                                                                       "subscription": self.sub["id"]},
                       "type": "subscription_details"},
            "payment_settings": {"default_mandate": None, "payment_method_options": None,
                                 "payment_method_types": None},
            "period_end": self.now, "period_start": self.now, "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0, "receipt_number": None, "rendering": None, "shipping_cost": None,
            "shipping_details": None, "starting_balance": balance, "statement_descriptor": None, "status": "draft",
            "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None, "paid_at": None,
                                   "voided_at": None},
            "subtotal": subtotal, "subtotal_excluding_tax": subtotal, "test_clock": None, "total": total,
            "total_discount_amounts": [{"amount": a, "discount": d} for d, a in discount_totals.items()],
            "total_excluding_tax": total, "total_pretax_credit_amounts": [], "total_taxes": [],
            "webhooks_delivered_at": None}
        self.emit("invoices", invoice, "invoice.created")
        slug = f"acct_1TapSenseBilling/test_{invoice_id[3:]}"
        self.invoice = {**invoice, "status": "open",
                        "number": f"{cust['invoice_prefix']}-{cust['next_invoice_sequence']:04d}",
                        "effective_at": self.now, "ending_balance": ending_balance,
                        "hosted_invoice_url": f"https://invoice.stripe.com/i/{slug}",
                        "invoice_pdf": f"https://pay.stripe.com/invoice/{slug}/pdf",
                        "status_transitions": {**invoice["status_transitions"], "finalized_at": self.now},
                        "webhooks_delivered_at": self.now}
        self.emit("invoices", self.invoice, "invoice.finalized", invoice)
        if amount_due == 0:
            self._mark_paid()
        else:
            self.payment = {"amount_paid": None, "amount_requested": amount_due, "created": self.now,
                            "currency": self.acct.currency, "id": stable_id("inpay_", invoice_id, length=24),
                            "invoice": invoice_id, "is_default": True, "livemode": False,
                            "object": "invoice_payment",
                            "payment": {"payment_intent": stable_id("pi_", invoice_id, length=24),
                                        "type": "payment_intent"},
                            "status": "open", "status_transitions": {"canceled_at": None, "paid_at": None}}
            self.books.sink.put("invoice_payments", self.payment, self.now)
            self._charge_invoice(succeed=pay)
        self._update_customer(next_invoice_sequence=cust["next_invoice_sequence"] + 1, balance=ending_balance,
                              delinquent=cust["delinquent"] or not pay)
        self._retire_discounts(applying, expired, subtotal > 0)

    def _retire_discounts(self, applied: list[dict], expired: list[dict], billed: bool) -> None:
        """Once-coupons come off after the first invoice they reduce; repeating ones when they end."""
        done = expired + [d for d in applied if billed and COUPONS[d["source"]["coupon"]]["duration"] == "once"]
        if not done:
            return
        gone = {d["id"] for d in done}
        before, self.sub = self.sub, {**self.sub, "discounts": [d for d in self.sub["discounts"] if d not in gone]}
        for discount in done:
            self.emit("discounts", discount, "customer.discount.deleted")
        self.emit("subscriptions", self.sub, "customer.subscription.updated", before)

    def _charge_invoice(self, succeed: bool) -> None:
        """One attempt to collect the open invoice: a charge on its payment intent."""
        invoice, attempt = self.invoice, self.invoice["attempt_count"] + 1
        charge = self._charge(invoice, succeed)
        self.emit("charges", charge, "charge.succeeded" if succeed else "charge.failed")
        if succeed:
            self.charge = charge
            self._mark_paid(attempt)
            before, self.payment = self.payment, {**self.payment, "amount_paid": invoice["amount_due"],
                                                  "status": "paid",
                                                  "status_transitions": {"canceled_at": None, "paid_at": self.now}}
            self.emit("invoice_payments", self.payment, "invoice_payment.paid", before)
        else:
            retry = self.now + self.books.retry_gap if attempt < MAX_ATTEMPTS else None
            before, self.invoice = invoice, {**invoice, "attempt_count": attempt, "attempted": True,
                                             "next_payment_attempt": retry}
            self.emit("invoices", self.invoice, "invoice.payment_failed", before)

    def _mark_paid(self, attempt: int | None = None) -> None:
        before = self.invoice
        self.invoice = {**before, "amount_paid": before["amount_due"], "amount_remaining": 0,
                        "attempt_count": attempt or before["attempt_count"],
                        "attempted": bool(attempt) or before["attempted"],
                        "next_payment_attempt": None, "status": "paid",
                        "status_transitions": {**before["status_transitions"], "paid_at": self.now}}
        self.emit("invoices", self.invoice, "invoice.paid", before)
        self.invoice = None

    # -- charges and refunds ----------------------------------------------------------------------------
    def _card(self) -> dict:
        """The customer's card, a function of its id (the same card in every window)."""
        if self._card_details is None:
            self._card_details = self._new_card()
        return self._card_details

    def _new_card(self) -> dict:
        digest = stable_id("", self.customer["id"], "card", length=12)
        n = int(digest, 16)
        brand = CARD_BRANDS[n % len(CARD_BRANDS)]
        return {"amount_authorized": None, "authorization_code": None, "brand": brand,
                "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
                "country": self.acct.country, "exp_month": 1 + n % 12, "exp_year": 2027 + (n >> 4) % 5,
                "extended_authorization": {"status": "disabled"}, "fingerprint": digest[:16], "funding": "credit",
                "incremental_authorization": {"status": "unavailable"}, "installments": None,
                "last4": f"{(n >> 8) % 10000:04d}", "mandate": None, "multicapture": {"status": "unavailable"},
                "network": brand, "network_token": {"used": False}, "network_transaction_id": None,
                "overcapture": {"maximum_amount_capturable": 0, "status": "unavailable"}, "regulated_status": None,
                "three_d_secure": None, "wallet": None}

    def _charge(self, invoice: dict, succeed: bool) -> dict:
        charge_id = self.new_id("ch_", self.n)
        amount = invoice["amount_due"]
        code, message, reason = self.rng.choice(DECLINES)
        cust = self.customer
        return {"amount": amount, "amount_captured": amount if succeed else 0, "amount_refunded": 0,
                "application": None, "application_fee": None, "application_fee_amount": None,
                "balance_transaction": stable_id("txn_", charge_id, length=24) if succeed else None,
                "billing_details": {"address": cust["address"], "email": cust["email"], "name": cust["name"],
                                    "phone": None, "tax_id": None},
                "calculated_statement_descriptor": COMPANY.upper(), "captured": succeed, "created": self.now,
                "currency": invoice["currency"], "customer": cust["id"],
                "description": {"subscription_create": "Subscription creation",
                                "subscription_cycle": "Subscription cycle"}.get(invoice["billing_reason"],
                                                                                "Subscription update"),
                "disputed": False, "failure_balance_transaction": None,
                "failure_code": None if succeed else code, "failure_message": None if succeed else message,
                "fraud_details": {}, "id": charge_id, "livemode": False, "metadata": {}, "object": "charge",
                "on_behalf_of": None,
                "outcome": {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                            "network_status": "approved_by_network" if succeed else "declined_by_network",
                            "reason": None if succeed else reason, "risk_level": "normal",
                            "seller_message": "Payment complete." if succeed else
                            "The bank did not return any further details with this decline.",
                            "type": "authorized" if succeed else "issuer_declined"},
                "paid": succeed, "payment_intent": self.payment["payment"]["payment_intent"],
                "payment_method": cust["invoice_settings"]["default_payment_method"],
                "payment_method_details": {"card": self._card(), "type": "card"},
                "receipt_email": cust["email"], "receipt_number": None,
                "receipt_url": f"https://pay.stripe.com/receipts/payment/{charge_id[3:]}" if succeed else None,
                "refunded": False,
                "refunds": {"data": [], "has_more": False, "object": "list", "total_count": 0,
                            "url": f"/v1/charges/{charge_id}/refunds"},
                "review": None, "shipping": None, "source": None, "source_transfer": None, "statement_descriptor": None,
                "statement_descriptor_suffix": None, "status": "succeeded" if succeed else "failed",
                "transfer_data": None, "transfer_group": None}

    def _refund_unused(self) -> None:
        """Refund the unused share of the current period from the latest payment."""
        start, end = self._period()
        charge = self.charge
        left = charge["amount"] - charge["amount_refunded"]
        amount = min(left, round(charge["amount"] * max(0.0, (end - self.now) / max(1, end - start))))
        if amount < 100:
            return
        refund = {"amount": amount, "balance_transaction": self.new_id("txn_"), "charge": charge["id"],
                  "created": self.now, "currency": charge["currency"], "customer": charge["customer"],
                  "customer_account": None,
                  "destination_details": {"card": {"reference": None, "reference_status": "pending",
                                                   "reference_type": "acquirer_reference_number", "type": "refund"},
                                          "type": "card"},
                  "id": self.new_id("re_"), "metadata": {}, "object": "refund",
                  "payment_intent": charge["payment_intent"],
                  "payment_method": charge["payment_method"], "reason": "requested_by_customer", "receipt_number": None,
                  "source_transfer_reversal": None, "status": "succeeded", "transfer_reversal": None}
        self.emit("refunds", refund, "refund.created")
        refunded = charge["amount_refunded"] + amount
        refunds = charge["refunds"]
        self.charge = {**charge, "amount_refunded": refunded, "refunded": refunded == charge["amount"],
                       "refunds": {**refunds, "data": [refund, *refunds["data"]],
                                   "total_count": refunds["total_count"] + 1}}
        self.emit("charges", self.charge, "charge.refunded", charge)


# --- loading what Stripe already holds (clock advances) --------------------------------------------------
def _payloads(conn, object_type: str, where: str, args: dict) -> list[dict]:
    return [row[0] for row in conn.execute(
        f"SELECT payload FROM sim.api_objects WHERE source = '{SOURCE}' AND object_type = %(type)s AND {where} "
        "ORDER BY created_at, id", {"type": object_type, **args})]


def _due_accounts(conn, end: int) -> set[str]:
    """Accounts Stripe has work for by `end`: a renewal of an active subscription, or a payment retry."""
    rows = conn.execute(
        f"""SELECT payload->'metadata'->>'account_id' FROM sim.api_objects
            WHERE source = '{SOURCE}' AND object_type = 'subscriptions' AND payload->>'status' = 'active'
              AND (payload->'items'->'data'->0->>'current_period_end')::bigint <= %(end)s
            UNION
            SELECT payload->'parent'->'subscription_details'->'metadata'->>'account_id' FROM sim.api_objects
            WHERE source = '{SOURCE}' AND object_type = 'invoices' AND payload->>'status' = 'open'
              AND (payload->>'next_payment_attempt')::bigint <= %(end)s""", {"end": end}).fetchall()
    return {account_id for (account_id,) in rows if account_id}


def _processed(conn, since: int) -> set[str]:
    """App events already billed: their Stripe events carry the app event id as idempotency key."""
    rows = conn.execute(
        f"""SELECT DISTINCT payload->'request'->>'idempotency_key' FROM sim.api_objects
            WHERE source = '{SOURCE}' AND object_type = 'events' AND created_at >= to_timestamp(%(since)s)""",
        {"since": since}).fetchall()
    return {key for (key,) in rows if key}


def _states(conn, account_ids: list[str]) -> dict[str, dict]:
    """The live Stripe objects of these accounts: customer, latest subscription, open invoice and its
    payment, latest successful charge, and the subscription's discounts (deleted customers have no
    metadata, so closed accounts come back empty)."""
    states: dict[str, dict] = defaultdict(dict)
    by_account = {"ids": account_ids}
    for customer in _payloads(conn, "customers", "payload->'metadata'->>'account_id' = ANY(%(ids)s)", by_account):
        states[customer["metadata"]["account_id"]]["customer"] = customer
    for sub in _payloads(conn, "subscriptions", "payload->'metadata'->>'account_id' = ANY(%(ids)s)", by_account):
        states[sub["metadata"]["account_id"]]["subscription"] = sub       # ordered by created: the latest wins
    owner = {s["customer"]["id"]: a for a, s in states.items() if "customer" in s}
    by_customer = {"ids": list(owner)}
    invoices = {}
    for invoice in _payloads(conn, "invoices", "payload->>'customer' = ANY(%(ids)s) AND payload->>'status' = 'open'",
                             by_customer):
        states[owner[invoice["customer"]]]["invoice"] = invoices[invoice["id"]] = invoice
    for payment in _payloads(conn, "invoice_payments", "payload->>'invoice' = ANY(%(ids)s)", {"ids": list(invoices)}):
        states[owner[invoices[payment["invoice"]]["customer"]]]["payment"] = payment
    for charge in _payloads(conn, "charges", "payload->>'customer' = ANY(%(ids)s) AND payload->>'status' = 'succeeded'",
                            by_customer):
        states[owner[charge["customer"]]]["charge"] = charge
    discount_ids = [d for s in states.values() if "subscription" in s for d in s["subscription"]["discounts"]]
    for discount in _payloads(conn, "discounts", "id = ANY(%(ids)s)", {"ids": discount_ids}):
        states[owner[discount["customer"]]].setdefault("discounts", {})[discount["id"]] = discount
    return states


# --- the history build -------------------------------------------------------------------------------
def _build_timeline(account: Account, events: list[Happening], start: int, migration: int) -> list[Happening]:
    """The account's happenings for a history build. Accounts from before the history logged only
    sign-up, cancellation and closure, so the end of a trial that ended before the history and a
    lasting past_due are added (a trial the app shows as already paid is no trial); everything
    before the migration folds into one import carrying the state it had reached."""
    if not events:
        return []
    steps = list(events)
    if events[0].at < start:
        trial_end = account.trial_ends_at
        trial_in_history = account.status == "trialing" or any(e.kind in ("trial_converted", "trial_expired")
                                                                for e in events)
        if events[0].status == "trialing" and trial_end and not trial_in_history:
            if trial_end >= start:
                steps[0] = replace(events[0], status="active")
            elif not any(e.kind == "canceled" and e.at <= trial_end for e in events):
                steps.append(Happening(trial_end, f"genesis:trial:{account.id}", "trial_converted"))
        if account.status == "past_due" and events[-1].kind != "past_due":
            steps.append(Happening(account.status_changed_at, f"genesis:past_due:{account.id}", "past_due"))
    steps.sort(key=lambda h: h.at)
    before = [h for h in steps if h.at < migration and h.plan]
    after = [h for h in steps if h.at >= migration]
    if not before:
        return after
    last = before[-1]
    status = {"closed": "closed", "canceled": "canceled"}.get(last.kind, "active")
    return [Happening(migration, f"import:{account.id}", "import", last.plan, last.interval, last.seats, status),
            *after]


def generate(conn, window: Window) -> dict[str, int]:
    books = Books(conn, window)
    if window.built:
        accounts = _accounts(conn, None)
        timelines = _timeline(conn, None)
        for account_id, account in accounts.items():
            ledger = Ledger(books, account)
            for happening in _build_timeline(account, timelines.get(account_id, []), books.start, books.migration):
                ledger.apply(happening)
            ledger.run_until(books.end)
    else:
        since = books.start - LATE_SECONDS
        done = _processed(conn, since)
        timelines = {a: [h for h in hs if h.key not in done] for a, hs in _timeline(conn, since).items()}
        ids = sorted({a for a, hs in timelines.items() if hs} | _due_accounts(conn, books.end))
        accounts = _accounts(conn, ids)
        states = _states(conn, ids)
        for account_id in ids:
            ledger = Ledger(books, accounts[account_id], states.get(account_id), now=books.start)
            for happening in timelines.get(account_id, []):
                ledger.apply(happening)
            ledger.run_until(books.end)
    return books.sink.flush(conn)
