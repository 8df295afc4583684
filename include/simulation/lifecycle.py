"""How entities change in one tick: sign-ups and openings, trials ending, plan and seat changes,
failed payments and dunning, cancellations, reactivations, closures (soft deletes), taps installed,
going offline and being replaced, invites accepted or revoked (hard deletes), features launched.

Each kind of entity draws from its own stream. An account changes at most once per tick.
"""
from __future__ import annotations

import math
import random

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.arrivals import Arrivals
from include.simulation.clock import Tick
from include.simulation.profiles import account_from_draft, new_device, new_location, new_user, staff_role
from include.simulation.randomness import new_id, poisson
from include.simulation.scale import Scale
from include.simulation.telemetry import error_line
from include.simulation.world import Account, Feature, Location, World, is_serving


def run(world: World, tick: Tick, scale: Scale, arrivals: Arrivals, out: dict[str, list[str]]) -> None:
    _features(world, tick)
    _arrivals(world, tick, scale, arrivals)
    _accounts(world, tick)
    _locations(world, tick)
    _devices(world, tick, scale, out["device_errors"])
    _users(world, tick)


def _count(rng: random.Random, world: World, rate: float, population: int, tick: Tick) -> int:
    return poisson(rng, rate * world.speed * population * tick.days)


def _moment(rng: random.Random, tick: Tick) -> int:
    """A creation time inside the tick (new rows never commit late, so ids sort by creation)."""
    return tick.start + int(rng.random() * (tick.end - tick.start))


def _picks(rng: random.Random, items: list, weights: list[float] | None, k: int) -> list:
    if not items or not k:
        return []
    return list(dict.fromkeys(rng.choices(items, weights, k=k)))


def _add_devices(world: World, rng: random.Random, scale: Scale, location: Location, at: int) -> None:
    for _ in range(1 + poisson(rng, scale.devices_per_location - 1)):
        new_device(world, rng, location, created_at=at)


# --- sign-ups and openings -------------------------------------------------------------------------
def _arrivals(world: World, tick: Tick, scale: Scale, arrivals: Arrivals) -> None:
    rng = tick.rng("signups")
    trial = int(b.TRIAL_DAYS * b.DAY / world.speed)
    for signup in arrivals.signups:
        at, draft = signup.at, signup.draft
        on_trial = rng.random() < b.TRIAL_SHARE
        account = account_from_draft(world, draft, status="trialing" if on_trial else "active", created_at=at,
                                     updated_at=at, status_changed_at=at,
                                     trial_ends_at=at + trial if on_trial else None, last_active_at=at)
        world.log_account(account, "signup", at, new_id(rng))
        for i in range(signup.locations):
            location = new_location(world, rng, account, created_at=at,
                                    where=(draft.timezone, draft.city) if i == 0 else None)
            _add_devices(world, rng, scale, location, at)
        new_user(world, rng, account, role="owner", status="active", created_at=at, last_login_at=at)
        for _ in range(poisson(rng, 1.0)):
            new_user(world, rng, account, role=staff_role(rng), status="invited", created_at=at)
    accounts = [a for a in world.account_list if a.deleted_at is None] if arrivals.openings else []
    if accounts:
        # Any live account may be chosen so a history build adds the planned locations; accounts out
        # of service open nothing in practice because their weight is tiny.
        weights = [(a.truth.expansion_propensity + 0.05) * c.LOCATION_WEIGHT_BY_SIZE[a.company_size]
                   * (1.0 if a.in_service else 0.001) for a in accounts]
        for account in rng.choices(accounts, weights, k=arrivals.openings):
            at = _moment(rng, tick)
            _add_devices(world, rng, scale, new_location(world, rng, account, created_at=at), at)


# --- accounts -----------------------------------------------------------------------------------------
def _accounts(world: World, tick: Tick) -> None:
    rng = tick.rng("accounts")
    speed = world.speed
    by_status: dict[str, list[Account]] = {s: [] for s in c.SUBSCRIPTION_STATUSES}
    for a in world.account_list:
        if a.deleted_at is None:
            by_status[a.status].append(a)
    changed: set[str] = set()

    def change(a: Account, kind: str, at: int, **values) -> None:
        for name, value in values.items():
            setattr(a, name, value)
        if "status" in values:
            a.status_changed_at = at
        world.touch(a, at)
        world.log_account(a, kind, a.updated_at, new_id(rng))
        changed.add(a.id)

    def pick(pool: list[Account], rate: float, weight=None) -> list[Account]:
        k = _count(rng, world, rate, len(pool), tick)
        chosen = _picks(rng, pool, [weight(a) for a in pool] if weight and k else None, k)
        return [a for a in chosen if a.id not in changed]

    for a in by_status["trialing"]:
        if a.trial_ends_at < tick.end:
            at, t = max(a.trial_ends_at, tick.start), a.truth
            if rng.random() < 0.25 + 0.6 * t.engagement - 0.3 * t.churn_propensity:
                change(a, "trial_converted", at, status="active")
            else:
                change(a, "trial_expired", at, status="canceled", canceled_at=at)
    dunning = b.DUNNING_DAYS * b.DAY / speed
    recover = 1.0 - math.exp(-b.RECOVER_RATE * speed * tick.days)
    for a in by_status["past_due"]:
        at = tick.write_time(rng)
        if at - a.status_changed_at > dunning:
            change(a, "canceled", at, status="canceled", canceled_at=at)
        elif rng.random() < recover * a.truth.payment_reliability:
            change(a, "recovered", at, status="active")

    active = by_status["active"]
    for a in pick(active, b.PAST_DUE_RATE, lambda a: 1.2 - a.truth.payment_reliability):
        change(a, "past_due", tick.write_time(rng), status="past_due")
    for a in pick(active + by_status["past_due"], b.CANCEL_RATE, lambda a: a.truth.churn_propensity + 0.02):
        at = tick.write_time(rng)
        change(a, "canceled", at, status="canceled", canceled_at=at)
    for a in pick(active, b.UPGRADE_RATE, lambda a: a.truth.expansion_propensity + 0.05):
        _resize(a, +1, rng, change, tick.write_time(rng))
    for a in pick(active, b.DOWNGRADE_RATE, lambda a: a.truth.churn_propensity + 0.05):
        _resize(a, -1, rng, change, tick.write_time(rng))
    for a in pick(active, b.INTERVAL_CHANGE_RATE):
        interval = rng.choice([i for i in c.BILLING_INTERVALS if i != a.billing_interval])
        change(a, "interval_changed", tick.write_time(rng), billing_interval=interval)
    for a in pick(active, b.PROFILE_EDIT_RATE):             # a profile edit: no subscription event
        i = c.COMPANY_SIZES.index(a.company_size)
        a.company_size = c.COMPANY_SIZES[min(len(c.COMPANY_SIZES) - 1, max(0, i + rng.choice((-1, 1))))]
        world.touch(a, tick.write_time(rng))
        changed.add(a.id)

    window, close_after = b.REACTIVATE_WINDOW_DAYS * b.DAY / speed, b.CLOSE_AFTER_DAYS * b.DAY / speed
    recent = [a for a in by_status["canceled"] if tick.start - a.canceled_at < window]
    long_gone = [a for a in by_status["canceled"] if tick.start - a.canceled_at > close_after]
    for a in pick(recent, b.REACTIVATE_RATE, lambda a: 1.0 - a.truth.churn_propensity):
        change(a, "reactivated", tick.write_time(rng), status="active", canceled_at=None)
    for a in pick(long_gone, b.CLOSE_RATE):
        _close(world, a, tick.write_time(rng))
        world.log_account(a, "closed", a.updated_at, new_id(rng))


def _resize(a: Account, direction: int, rng: random.Random, change, at: int) -> None:
    """Move one plan tier, or (half the time, or at the end of the range) change seats."""
    tier = c.PLANS.index(a.plan) + direction
    if 0 <= tier < len(c.PLANS) and rng.random() < 0.5:
        plan = c.PLANS[tier]
        low, high = c.SEATS_BY_PLAN[plan]
        change(a, "upgrade" if direction > 0 else "downgrade", at, plan=plan, seats=min(max(a.seats, low), high))
        return
    step = 1 + int(rng.random() * max(1, a.seats // 4))
    seats = min(10_000, max(1, a.seats + direction * step))
    if seats != a.seats:
        change(a, "seats_changed", at, seats=seats)


def _close(world: World, a: Account, at: int) -> None:
    """Closing an account soft-deletes it and everything under it, in one transaction."""
    a.deleted_at = at
    world.touch(a, at)
    for location in a.locations:
        if location.deleted_at is None:
            _close_location(world, location, at)
            location.deleted_at = location.updated_at
    for user in a.users:
        if user.deleted_at is None:
            world.set_user_status(user, "deactivated", at)
            user.deleted_at = user.updated_at


def _close_location(world: World, location: Location, at: int) -> None:
    location.status = "closed"
    world.touch(location, at)
    for d in location.devices:
        if d.deleted_at is None:
            _retire(world, d, at)


def _retire(world: World, d, at: int) -> None:
    world.set_device_status(d, "retired", at)
    d.deleted_at = d.updated_at


# --- locations and devices -----------------------------------------------------------------------------
def _locations(world: World, tick: Tick) -> None:
    rng = tick.rng("locations")
    items = world.location_list
    for _ in range(_count(rng, world, b.LOCATION_CLOSE_RATE, len(items), tick)):
        location = items[int(rng.random() * len(items))]
        if location.status == "active" and location.deleted_at is None:
            _close_location(world, location, tick.write_time(rng))


def _devices(world: World, tick: Tick, scale: Scale, errors: list[str]) -> None:
    rng = tick.rng("devices")
    for d in list(world.provisioning.values()):
        due = d.created_at + d.install_delay
        if due >= tick.end:
            continue
        if d.purge:
            world.purge(d)
        else:
            at = max(due, tick.start)
            d.installed_at = at
            world.set_device_status(d, "online", at)
    back = 1.0 - math.exp(-tick.days * 24 * world.speed / b.DEVICE_OUTAGE_HOURS)
    for d in list(world.offline.values()):
        if rng.random() < back:
            world.set_device_status(d, "online", tick.write_time(rng))

    items = world.device_list

    def sample(rate: float):
        for _ in range(_count(rng, world, rate, len(items), tick)):
            d = items[int(rng.random() * len(items))]
            if d.status in ("online", "offline") and d.deleted_at is None:
                yield d

    for d in sample(b.DEVICE_OFFLINE_RATE):
        if d.status == "online" and is_serving(d):
            at = tick.write_time(rng)
            world.set_device_status(d, "offline", at)
            errors.append(error_line(rng, d, c.CONNECTIVITY_LOST, max(at, d.installed_at + 1)))
    for d in sample(b.FIRMWARE_UPDATE_RATE):
        latest = c.DEVICE_MODELS[d.model][-1]
        if d.firmware_version != latest:
            d.firmware_version = latest
            world.touch(d, tick.write_time(rng))
    for d in sample(b.DEVICE_REPLACE_RATE):
        if d.location.status == "active":
            at = _moment(rng, tick)
            _retire(world, d, at)
            new_device(world, rng, d.location, created_at=at)


# --- users -------------------------------------------------------------------------------------------------
def _users(world: World, tick: Tick) -> None:
    rng = tick.rng("users")
    for u in list(world.invited.values()):
        due = u.created_at + u.invite_delay
        if due >= tick.end:
            continue
        if u.revoke or not u.account.in_service:
            world.purge(u)
        else:
            at = max(due, tick.start)
            u.last_login_at = at
            world.set_user_status(u, "active", at)
    accounts = world.account_list
    for _ in range(_count(rng, world, b.INVITES_PER_ACCOUNT_DAY, len(accounts), tick)):
        account = accounts[int(rng.random() * len(accounts))]
        if account.in_service and account.deleted_at is None:
            new_user(world, rng, account, role=staff_role(rng), status="invited", created_at=_moment(rng, tick))
    users = world.user_list

    def sample(rate: float):
        for _ in range(_count(rng, world, rate, len(users), tick)):
            u = users[int(rng.random() * len(users))]
            if u.status == "active" and u.role != "owner" and u.deleted_at is None:
                yield u

    for u in sample(b.USER_DEACTIVATE_RATE):
        world.set_user_status(u, "deactivated", tick.write_time(rng))
        u.deleted_at = u.updated_at
    for u in sample(b.ROLE_CHANGE_RATE):
        u.role = rng.choice([r for r in c.USER_ROLES[1:] if r != u.role])
        world.touch(u, tick.write_time(rng))


# --- features ------------------------------------------------------------------------------------------------
def _features(world: World, tick: Tick) -> None:
    rng = tick.rng("features")
    beta = b.BETA_DAYS * b.DAY
    for f in world.features.values():
        if f.status == "beta" and f.released_at + beta < tick.end:
            f.status = "ga"
            world.touch(f, max(f.released_at + beta, tick.start))
    for _ in range(poisson(rng, b.FEATURE_LAUNCHES_PER_DAY * tick.days)):
        upcoming = [f for f in c.FEATURES if f[0] not in world.feature_keys]
        if not upcoming:
            return
        key, name, category, popularity = upcoming[0]
        at = _moment(rng, tick)
        world.add_feature(Feature(new_id(rng), key, name, category, "beta", at, at, at), popularity)
