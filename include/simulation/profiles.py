"""What new accounts, locations, devices and users look like, for the genesis population and for
sign-ups alike. Drafts depend only on their random stream; materialising them needs the world
(unique domains and emails).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from include.simulation import catalog as c
from include.simulation.randomness import new_id
from include.simulation.world import Account, Device, Location, User, World

_COUNTRY_CODES = tuple(c.COUNTRIES)
_COUNTRY_WEIGHTS = tuple(v[0] for v in c.COUNTRIES.values())
_TLD = {"US": "com", "CA": "ca", "GB": "co.uk", "IE": "ie", "DE": "de", "NL": "nl", "ES": "es",
        "AU": "com.au", "NZ": "co.nz"}
_MODELS = tuple(c.DEVICE_MODELS)
_SERIAL_PREFIX = {"TapSense One": "TS1", "TapSense Pro": "TSP", "FlowMeter X2": "FX2"}


def pick(rng: random.Random, values, weights):
    return rng.choices(values, weights)[0]


@dataclass(frozen=True)
class AccountDraft:
    id: str
    name: str
    industry: str
    company_size: str
    country: str
    timezone: str
    city: str
    plan: str
    billing_interval: str
    seats: int
    signup_channel: str
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None


def place(rng: random.Random, country: str) -> tuple[str, str]:
    """(timezone, city) somewhere in the country."""
    zones = c.COUNTRIES[country][2]
    zone, cities = zones[int(rng.random() * len(zones))]
    return zone, cities[int(rng.random() * len(cities))]


def draft_account(rng: random.Random) -> AccountDraft:
    account_id = new_id(rng)
    industry = pick(rng, c.INDUSTRIES, c.INDUSTRY_WEIGHTS)
    size = pick(rng, c.COMPANY_SIZES, c.COMPANY_SIZE_WEIGHTS)
    country = pick(rng, _COUNTRY_CODES, _COUNTRY_WEIGHTS)
    zone, city = place(rng, country)
    plan = pick(rng, c.PLANS, c.PLAN_WEIGHTS_BY_SIZE[size])
    low, high = c.SEATS_BY_PLAN[plan]
    seats = low + int(rng.random() ** 2 * (high - low + 1))
    interval = pick(rng, c.BILLING_INTERVALS, c.INTERVAL_WEIGHTS_BY_PLAN[plan])
    channel = pick(rng, c.SIGNUP_CHANNELS, c.SIGNUP_CHANNEL_WEIGHTS)
    source = medium = campaign = None
    options = c.UTM_BY_CHANNEL[channel]
    if options:
        source, medium, has_campaign, _ = pick(rng, options, [o[3] for o in options])
        if has_campaign:
            names = c.CAMPAIGNS[source]
            campaign = names[int(rng.random() * len(names))]
    return AccountDraft(account_id, venue_name(rng, industry, city), industry, size, country, zone, city, plan,
                        interval, seats, channel, source, medium, campaign)


def venue_name(rng: random.Random, industry: str, city: str) -> str:
    adjective = c.NAME_ADJECTIVES[int(rng.random() * len(c.NAME_ADJECTIVES))]
    noun = c.NAME_NOUNS[int(rng.random() * len(c.NAME_NOUNS))]
    kinds = c.VENUE_KINDS[industry]
    kind = kinds[int(rng.random() * len(kinds))]
    last = c.LAST_NAMES[int(rng.random() * len(c.LAST_NAMES))]
    pattern = int(rng.random() * 4)
    if pattern == 0:
        return f"The {adjective} {noun}"
    if pattern == 1:
        return f"{adjective} {noun} {kind}"
    if pattern == 2:
        return f"{last}'s {kind}"
    return f"{city} {noun} {kind}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().removeprefix("the "))


def account_from_draft(world: World, draft: AccountDraft, *, status: str, created_at: int, updated_at: int,
                       status_changed_at: int, trial_ends_at: int | None = None, canceled_at: int | None = None,
                       last_active_at: int | None = None) -> Account:
    base, n = _slug(draft.name), 1
    domain = f"{base}.{_TLD[draft.country]}"
    while domain in world.domains:                 # real venues share names; domains cannot
        n += 1
        domain = f"{base}{n}.{_TLD[draft.country]}"
    account = Account(
        draft.id, draft.name, domain, draft.industry, draft.company_size, draft.country, draft.timezone,
        draft.plan, draft.billing_interval, draft.seats, status, draft.signup_channel, draft.utm_source,
        draft.utm_medium, draft.utm_campaign, trial_ends_at, status_changed_at, canceled_at, last_active_at,
        created_at, updated_at)
    world.add_account(account)
    return account


def new_location(world: World, rng: random.Random, account: Account, *, created_at: int,
                 where: tuple[str, str] | None = None, status: str = "active",
                 updated_at: int | None = None) -> Location:
    zone, city = where or place(rng, account.country)
    same_city = sum(1 for loc in account.locations if loc.city == city)
    name = f"{account.name} - {city}" + (f" {same_city + 1}" if same_city else "")
    location = Location(new_id(rng), account, name, city, account.country, zone, status, created_at,
                        updated_at or created_at)
    world.add_location(location)
    return location


def new_device(world: World, rng: random.Random, location: Location, *, created_at: int, status: str = "provisioning",
               installed_at: int | None = None, updated_at: int | None = None, firmware_age: int = 0) -> Device:
    """firmware_age 0 is the newest firmware for the model; older devices may lag behind."""
    device_id = new_id(rng)
    model = pick(rng, _MODELS, c.DEVICE_MODEL_WEIGHTS)
    versions = c.DEVICE_MODELS[model]
    firmware = versions[max(0, len(versions) - 1 - firmware_age)]
    serial = f"{_SERIAL_PREFIX[model]}-{device_id.replace('-', '')[:12].upper()}"
    device = Device(device_id, location, serial, model, firmware, status, installed_at, created_at,
                    updated_at or created_at)
    world.add_device(device)
    return device


def new_user(world: World, rng: random.Random, account: Account, *, role: str, status: str, created_at: int,
             last_login_at: int | None = None, updated_at: int | None = None) -> User:
    first = c.FIRST_NAMES[int(rng.random() * len(c.FIRST_NAMES))]
    last = c.LAST_NAMES[int(rng.random() * len(c.LAST_NAMES))]
    local, n = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower()), 1
    email = f"{local}@{account.domain}"
    while email in world.emails:
        n += 1
        email = f"{local}{n}@{account.domain}"
    user = User(new_id(rng), account, email, f"{first} {last}", role, status, last_login_at, created_at,
                updated_at or created_at)
    world.add_user(user)
    return user


def staff_role(rng: random.Random) -> str:
    return pick(rng, c.USER_ROLES, c.USER_ROLE_WEIGHTS)
