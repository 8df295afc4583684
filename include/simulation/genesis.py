"""The business as it stood when the history starts: accounts signed up over the previous four
years in every lifecycle state, their locations, taps, staff, and the product's feature catalogue.
"""
from __future__ import annotations

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.profiles import (account_from_draft, draft_account, new_device, new_location, new_user,
                                         pick, staff_role)
from include.simulation.randomness import GENESIS_TICK, new_id, poisson, rng_for
from include.simulation.scale import Scale
from include.simulation.world import Feature, World

COMPANY_AGE_DAYS = 4 * 365
_STATUSES = ("trialing", "active", "past_due", "canceled")
_STATUS_WEIGHTS = (3, 75, 2, 20)
CLOSED_SHARE = 0.3                      # of long-canceled accounts: closed (soft-deleted) before the history


def populate(world: World, scale: Scale, start: int, accounts: int, locations: int) -> None:
    _features(world, start)
    owners = _accounts(world, start, accounts)
    _locations(world, scale, start, owners, locations)
    _users(world, scale, start)


def _features(world: World, start: int) -> None:
    rng = rng_for(world.seed, GENESIS_TICK, "features")
    for i, (key, name, category, popularity) in enumerate(c.FEATURES[:c.GENESIS_FEATURES]):
        age_days = 7 if i == c.GENESIS_FEATURES - 1 else (c.GENESIS_FEATURES - i) * 90
        released = start - age_days * b.DAY
        status, deleted_at = ("beta" if age_days < b.BETA_DAYS else "ga"), None
        if key == c.LEGACY_FEATURE:
            status, deleted_at = "deprecated", start - 30 * b.DAY
        world.add_feature(Feature(new_id(rng), key, name, category, status, released, released,
                                  deleted_at or released, deleted_at), popularity)


def _accounts(world: World, start: int, count: int) -> list:
    rng = rng_for(world.seed, GENESIS_TICK, "accounts")
    speed = world.speed
    trial, dunning, close_after = (int(days * b.DAY / speed) for days in (b.TRIAL_DAYS, b.DUNNING_DAYS,
                                                                           b.CLOSE_AFTER_DAYS))
    drafts = []
    for _ in range(count):
        draft, status = draft_account(rng), pick(rng, _STATUSES, _STATUS_WEIGHTS)
        if status == "trialing":
            created = start - 1 - int(rng.random() * trial)
        else:
            created = start - b.DAY - int(rng.random() ** 1.5 * COMPANY_AGE_DAYS * b.DAY)   # growing: more recent
        trial_ends = created + trial if status == "trialing" or rng.random() < b.TRIAL_SHARE else None
        changed, canceled, deleted = created, None, None
        if status == "active" and trial_ends and trial_ends < start:
            changed = trial_ends
        elif status == "past_due":
            changed = max(created + 1, start - 1 - int(rng.random() * dunning))
        elif status == "canceled":
            canceled = changed = created + int((0.1 + 0.9 * rng.random()) * (start - created))
            if start - canceled > close_after and rng.random() < CLOSED_SHARE:
                deleted = start - 1 - int(rng.random() * (start - canceled - close_after))
        last_active = (canceled or start) - int(rng.random() * min(b.DAY, (canceled or start) - created))
        updated = max(changed, last_active, deleted or 0)
        account = account_from_draft(world, draft, status=status, created_at=created, updated_at=updated,
                                     status_changed_at=changed, trial_ends_at=trial_ends, canceled_at=canceled,
                                     last_active_at=last_active)
        account.deleted_at = deleted
        world.log_account(account, "signup", created, new_id(rng), "trialing" if trial_ends else "active")
        if canceled:
            world.log_account(account, "canceled", canceled, new_id(rng))
        if deleted:
            world.log_account(account, "closed", deleted, new_id(rng))
        drafts.append((account, draft))
    return drafts


def _locations(world: World, scale: Scale, start: int, drafts: list, count: int) -> None:
    """Every account has one location; the rest go mostly to the bigger companies."""
    rng = rng_for(world.seed, GENESIS_TICK, "locations")
    extra = {a.id: 0 for a, _ in drafts}
    accounts = [a for a, _ in drafts]
    for a in rng.choices(accounts, [c.LOCATION_WEIGHT_BY_SIZE[a.company_size] for a in accounts],
                         k=count - len(accounts)):
        extra[a.id] += 1
    for account, draft in drafts:
        for i in range(1 + extra[account.id]):
            opened = account.created_at if i == 0 else account.created_at + int(
                rng.random() * ((account.canceled_at or start) - account.created_at))
            location = new_location(world, rng, account, created_at=opened,
                                    where=(draft.timezone, draft.city) if i == 0 else None)
            if account.deleted_at:
                location.status, location.deleted_at = "closed", account.deleted_at
                location.updated_at = account.deleted_at
            _devices(world, rng, scale, start, location)


def _devices(world: World, rng, scale: Scale, start: int, location) -> None:
    for _ in range(1 + poisson(rng, scale.devices_per_location - 1)):
        firmware_age = 0 if rng.random() < 0.6 else 1 + int(rng.random() * 2)
        device = new_device(world, rng, location, created_at=location.created_at, firmware_age=firmware_age)
        if location.deleted_at:
            world.set_device_status(device, "retired", location.deleted_at)
            device.deleted_at = location.deleted_at
            continue
        state = rng.random()
        if state < 0.01:                # provisioned shortly before the history starts, installs during it
            device.created_at = device.updated_at = max(location.created_at,
                                                        start - 1 - int(rng.random() * device.install_delay))
            continue
        device.installed_at = location.created_at + int(rng.random() * min(b.DAY * 3, start - location.created_at))
        status = "online" if state < 0.97 else "offline" if state < 0.99 else "retired"
        world.set_device_status(device, status, device.installed_at + int(rng.random() * (start - device.installed_at)))
        if status == "retired":
            device.deleted_at = device.updated_at


def _users(world: World, scale: Scale, start: int) -> None:
    rng = rng_for(world.seed, GENESIS_TICK, "users")
    for account in list(world.accounts.values()):
        end = account.deleted_at or start
        new_user(world, rng, account, role="owner", status="active", created_at=account.created_at,
                 last_login_at=account.last_active_at)
        for _ in range(poisson(rng, scale.users_per_account - 1)):
            created = account.created_at + int(rng.random() * (end - account.created_at))
            state = rng.random()
            if account.deleted_at or state < 0.1:
                user = new_user(world, rng, account, role=staff_role(rng), status="active", created_at=created)
                gone = created + int(rng.random() * (end - created))
                user.last_login_at = created + int(rng.random() * (gone - created))
                world.set_user_status(user, "deactivated", gone)
                user.deleted_at = user.updated_at
            elif state < 0.12:          # invited shortly before the history starts
                user = new_user(world, rng, account, role=staff_role(rng), status="invited", created_at=created)
                user.created_at = user.updated_at = max(account.created_at,
                                                        start - 1 - int(rng.random() * user.invite_delay))
            else:
                login = end - int(rng.random() * min(7 * b.DAY, end - created))
                new_user(world, rng, account, role=staff_role(rng), status="active", created_at=created,
                         last_login_at=login, updated_at=login)
        if account.deleted_at:
            owner = account.users[0]
            world.set_user_status(owner, "deactivated", account.deleted_at)
            owner.deleted_at = owner.updated_at
