"""The business in memory: live entities, the indexes the generators pick from, and the changes
not yet written to the app database.

Between runs the app database is the only state: a run loads the live (not soft-deleted) entities,
ordered by (created_at, id), and recomputes every hidden trait from (seed, id).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from include.simulation import behaviour as b
from include.simulation.catalog import FEATURES, IN_SERVICE, TIMEZONES
from include.simulation.copytext import text, ts, ts_or_null
from include.simulation.randomness import activity_weight, traits
from include.simulation.schema import ENTITY_TABLES
from include.simulation.truth import AccountTruth, account_truth

TZ_INDEX = {name: i for i, name in enumerate(TIMEZONES)}


@dataclass(slots=True, eq=False)
class Account:
    id: str
    name: str
    domain: str
    industry: str
    company_size: str
    country: str
    timezone: str
    plan: str
    billing_interval: str
    seats: int
    status: str
    signup_channel: str
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    trial_ends_at: int | None
    status_changed_at: int
    canceled_at: int | None
    last_active_at: int | None
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    truth: AccountTruth | None = None
    locations: list[Location] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    TABLE = "accounts"

    @property
    def in_service(self) -> bool:
        return self.status in IN_SERVICE

    def line(self) -> str:
        return "\t".join((
            self.id, text(self.name), self.domain, self.industry, self.company_size, self.country, self.timezone,
            self.plan, self.billing_interval, str(self.seats), self.status, self.signup_channel,
            text(self.utm_source), text(self.utm_medium), text(self.utm_campaign), ts_or_null(self.trial_ends_at),
            ts(self.status_changed_at), ts_or_null(self.canceled_at), ts_or_null(self.last_active_at),
            ts(self.created_at), ts(self.updated_at), ts_or_null(self.deleted_at))) + "\n"


@dataclass(slots=True, eq=False)
class Location:
    id: str
    account: Account
    name: str
    city: str
    country: str
    timezone: str
    status: str
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    busy: float = 1.0                   # trait: how much this location pours
    devices: list[Device] = field(default_factory=list)
    TABLE = "locations"

    def line(self) -> str:
        return "\t".join((self.id, self.account.id, text(self.name), self.city, self.country, self.timezone,
                          self.status, ts(self.created_at), ts(self.updated_at), ts_or_null(self.deleted_at))) + "\n"


@dataclass(slots=True, eq=False)
class Device:
    id: str
    location: Location
    serial_number: str
    model: str
    firmware_version: str
    status: str
    installed_at: int | None
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    # traits
    activity: float = 1.0
    heartbeat_offset: int = 0           # microseconds past each hour
    beverage_index: int = 0
    signal_base: int = -60
    install_delay: int = 0
    purge: bool = False                 # provisioned by mistake: hard-deleted instead of installed
    TABLE = "devices"

    def line(self) -> str:
        return "\t".join((self.id, self.location.id, self.serial_number, self.model, self.firmware_version,
                          self.status, ts_or_null(self.installed_at), ts(self.created_at), ts(self.updated_at),
                          ts_or_null(self.deleted_at))) + "\n"


@dataclass(slots=True, eq=False)
class User:
    id: str
    account: Account
    email: str
    full_name: str
    role: str
    status: str
    last_login_at: int | None
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    # traits
    activity: float = 1.0
    invite_delay: int = 0
    revoke: bool = False                # an invite that is revoked: hard-deleted, it never logged in
    TABLE = "users"

    def line(self) -> str:
        return "\t".join((self.id, self.account.id, self.email, text(self.full_name), self.role, self.status,
                          ts_or_null(self.last_login_at), ts(self.created_at), ts(self.updated_at),
                          ts_or_null(self.deleted_at))) + "\n"


@dataclass(slots=True, eq=False)
class Feature:
    id: str
    key: str
    name: str
    category: str
    status: str
    released_at: int
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    popularity: float = 1.0
    TABLE = "features"

    def line(self) -> str:
        return "\t".join((self.id, self.key, self.name, self.category, self.status, ts(self.released_at),
                          ts(self.created_at), ts(self.updated_at), ts_or_null(self.deleted_at))) + "\n"


class Pool:
    """Entities to pick from with probability proportional to a weight (random.choices cum_weights).
    Entities that stop qualifying stay in the pool and are skipped when picked: no rebuilds."""

    __slots__ = ("items", "cum")

    def __init__(self) -> None:
        self.items: list = []
        self.cum: list[float] = []

    def add(self, item, weight: float) -> None:
        self.items.append(item)
        self.cum.append((self.cum[-1] if self.cum else 0.0) + weight)

    @property
    def total(self) -> float:
        return self.cum[-1] if self.cum else 0.0


class World:
    def __init__(self, seed: int, speed: float) -> None:
        self.seed = seed
        self.speed = speed
        self.accounts: dict[str, Account] = {}
        self.locations: dict[str, Location] = {}
        self.features: dict[str, Feature] = {}
        self.feature_keys: set[str] = set()         # every feature row, soft-deleted included
        self.domains: set[str] = set()              # unique across every row, soft-deleted included
        self.emails: set[str] = set()
        # everything live at some point in this run, for uniform picks (callers skip what no longer qualifies)
        self.account_list: list[Account] = []
        self.location_list: list[Location] = []
        self.device_list: list[Device] = []
        self.user_list: list[User] = []
        self.pour_pools = [Pool() for _ in TIMEZONES]
        self.session_pools = [Pool() for _ in TIMEZONES]
        self.heartbeat_minutes: list[list[Device]] = [[] for _ in range(60)]
        self.provisioning: dict[str, Device] = {}
        self.offline: dict[str, Device] = {}
        self.invited: dict[str, User] = {}
        # changes not yet written
        self.new: dict[str, dict[str, object]] = {t: {} for t in ENTITY_TABLES}
        self.dirty: dict[str, dict[str, object]] = {t: {} for t in self.new}
        self.deleted: dict[str, list[str]] = {t: [] for t in self.new}
        self.truth_lines: list[str] = []
        self.account_event_lines: list[str] = []

    # --- registering entities -------------------------------------------------------------------
    def add_account(self, a: Account, *, new: bool = True) -> None:
        a.truth = account_truth(self.seed, a.id)
        self.accounts[a.id] = a
        self.account_list.append(a)
        self.domains.add(a.domain)
        if new:
            self.new["accounts"][a.id] = a
            t = a.truth
            self.truth_lines.append(f"{a.id}\t{t.churn_propensity}\t{t.engagement}\t{t.expansion_propensity}\t"
                                    f"{t.payment_reliability}\t{t.salt}\n")

    def add_location(self, loc: Location, *, new: bool = True) -> None:
        (busy_u,) = traits(self.seed, loc.id, 1)
        loc.busy = activity_weight(busy_u)
        loc.account.locations.append(loc)
        self.locations[loc.id] = loc
        self.location_list.append(loc)
        if new:
            self.new["locations"][loc.id] = loc

    def add_device(self, d: Device, *, new: bool = True) -> None:
        activity_u, offset_u, beverage_u, signal_u, delay_u, purge_u = traits(self.seed, d.id, 6)
        d.activity = activity_weight(activity_u)
        d.heartbeat_offset = int(offset_u * b.HEARTBEAT_INTERVAL)
        d.beverage_index = int(beverage_u * 1000)
        d.signal_base = -45 - int(signal_u * 45)
        d.install_delay = int(_spread(delay_u, b.INSTALL_DELAY) / self.speed)
        d.purge = purge_u < b.DEVICE_PURGE_SHARE
        loc = d.location
        loc.devices.append(d)
        self.device_list.append(d)
        self.pour_pools[TZ_INDEX[loc.timezone]].add(d, d.activity * loc.busy * (0.4 + loc.account.truth.engagement))
        self.heartbeat_minutes[d.heartbeat_offset // b.MINUTE].append(d)
        if d.status == "provisioning":
            self.provisioning[d.id] = d
        elif d.status == "offline":
            self.offline[d.id] = d
        if new:
            self.new["devices"][d.id] = d

    def add_user(self, u: User, *, new: bool = True) -> None:
        activity_u, delay_u, revoke_u = traits(self.seed, u.id, 3)
        u.activity = activity_weight(activity_u)
        u.invite_delay = int(_spread(delay_u, b.INVITE_DELAY) / self.speed)
        u.revoke = revoke_u < b.INVITE_REVOKE_SHARE
        a = u.account
        a.users.append(u)
        self.emails.add(u.email)
        self.user_list.append(u)
        self.session_pools[TZ_INDEX[a.timezone]].add(u, u.activity * (0.3 + a.truth.engagement))
        if u.status == "invited":
            self.invited[u.id] = u
        if new:
            self.new["users"][u.id] = u

    def add_feature(self, f: Feature, popularity: float, *, new: bool = True) -> None:
        f.popularity = popularity
        self.features[f.id] = f
        self.feature_keys.add(f.key)
        if new:
            self.new["features"][f.id] = f

    # --- changing entities ---------------------------------------------------------------------
    def touch(self, entity, at: int) -> None:
        """Mark a changed row; updated_at only moves forward, even for a late commit."""
        entity.updated_at = at if at > entity.updated_at else entity.updated_at + 1
        if entity.id not in self.new[entity.TABLE]:
            self.dirty[entity.TABLE][entity.id] = entity

    def set_device_status(self, d: Device, status: str, at: int) -> None:
        self.provisioning.pop(d.id, None)
        self.offline.pop(d.id, None)
        if status == "offline":
            self.offline[d.id] = d
        d.status = status
        self.touch(d, at)

    def set_user_status(self, u: User, status: str, at: int) -> None:
        self.invited.pop(u.id, None)
        u.status = status
        self.touch(u, at)

    def purge(self, entity) -> None:
        """Hard delete. Only rows without children are purged (never-installed devices, revoked
        invites), so the foreign keys hold without cascades."""
        table = entity.TABLE
        if table == "devices":
            self.provisioning.pop(entity.id, None)
            entity.location.devices.remove(entity)
        else:
            self.invited.pop(entity.id, None)
            self.emails.discard(entity.email)
            entity.account.users.remove(entity)
        self.dirty[table].pop(entity.id, None)
        if self.new[table].pop(entity.id, None) is None:
            self.deleted[table].append(entity.id)
        entity.deleted_at = entity.updated_at           # so picks from the pools skip it from now on

    def log_account(self, a: Account, kind: str, at: int, event_id: str, status: str | None = None) -> None:
        """The subscription timeline in sim.account_events, for the billing, CRM and email generators."""
        self.account_event_lines.append(f"{event_id}\t{a.id}\t{ts(at)}\t{kind}\t{a.plan}\t{a.billing_interval}\t"
                                        f"{a.seats}\t{status or a.status}\n")

    # --- taking the changes to write ---------------------------------------------------------------
    def take_changes(self) -> dict[str, tuple[list[str], int, list[str]]]:
        """Per entity table: (COPY lines of new and changed rows, how many were updates, ids to delete)."""
        out = {}
        for table in self.new:
            new, dirty = self.new[table], self.dirty[table]
            out[table] = ([e.line() for e in new.values()] + [e.line() for e in dirty.values()],
                          len(dirty), self.deleted[table])
            self.new[table], self.dirty[table], self.deleted[table] = {}, {}, []
        return out

    def take_lines(self) -> tuple[list[str], list[str]]:
        truth, events = self.truth_lines, self.account_event_lines
        self.truth_lines, self.account_event_lines = [], []
        return truth, events


def _spread(u: float, bounds: tuple[int, int]) -> int:
    low, high = bounds
    return low + int(u * (high - low))


def is_serving(d: Device) -> bool:
    """A device whose telemetry the platform ingests: installed, at an open location, paid for."""
    return d.deleted_at is None and d.location.status == "active" and d.location.account.status in IN_SERVICE


# --- loading the live business from the app database ------------------------------------------------
def _us(column: str) -> str:
    return f"(extract(epoch FROM {column}) * 1000000)::bigint"


def load(conn: psycopg.Connection, seed: int, speed: float) -> World:
    world = World(seed, speed)
    world.domains.update(d for (d,) in conn.execute("SELECT domain FROM accounts"))
    world.emails.update(e for (e,) in conn.execute("SELECT email FROM users"))
    rows = conn.execute(
        f"SELECT id::text, name, domain, industry, company_size, country, timezone, plan, billing_interval, seats, "
        f"status, signup_channel, utm_source, utm_medium, utm_campaign, {_us('trial_ends_at')}, "
        f"{_us('status_changed_at')}, {_us('canceled_at')}, {_us('last_active_at')}, {_us('created_at')}, "
        f"{_us('updated_at')} FROM accounts WHERE deleted_at IS NULL ORDER BY created_at, id")
    for row in rows:
        world.add_account(Account(*row), new=False)
    rows = conn.execute(
        f"SELECT id::text, account_id::text, name, city, country, timezone, status, {_us('created_at')}, "
        f"{_us('updated_at')} FROM locations WHERE deleted_at IS NULL ORDER BY created_at, id")
    for id_, account_id, *rest in rows:
        world.add_location(Location(id_, world.accounts[account_id], *rest), new=False)
    rows = conn.execute(
        f"SELECT id::text, location_id::text, serial_number, model, firmware_version, status, "
        f"{_us('installed_at')}, {_us('created_at')}, {_us('updated_at')} FROM devices "
        f"WHERE deleted_at IS NULL ORDER BY created_at, id")
    for id_, location_id, *rest in rows:
        world.add_device(Device(id_, world.locations[location_id], *rest), new=False)
    rows = conn.execute(
        f"SELECT id::text, account_id::text, email, full_name, role, status, {_us('last_login_at')}, "
        f"{_us('created_at')}, {_us('updated_at')} FROM users WHERE deleted_at IS NULL ORDER BY created_at, id")
    for id_, account_id, *rest in rows:
        world.add_user(User(id_, world.accounts[account_id], *rest), new=False)
    world.feature_keys.update(k for (k,) in conn.execute("SELECT key FROM features"))
    popularity = {key: weight for key, _, _, weight in FEATURES}
    rows = conn.execute(
        f"SELECT id::text, key, name, category, status, {_us('released_at')}, {_us('created_at')}, "
        f"{_us('updated_at')} FROM features WHERE deleted_at IS NULL ORDER BY created_at, id")
    for row in rows:
        world.add_feature(Feature(*row), popularity.get(row[1], 1.0), new=False)
    return world
