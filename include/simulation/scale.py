"""Business sizes. The one place that says how big the simulated company is.

Per-entity behaviour (pours per device, sessions per user, churn rates) lives in `behaviour.py`
and is the same at every scale, so event volumes grow in proportion to the entity counts.

A history build ends with exactly `accounts` and `locations` rows (soft-deleted ones included):
it counts the sign-ups and openings its ticks will bring and creates the rest beforehand. Small
scale's fast lifecycle is meant for short histories (a few days); over months it churns nearly
every account away, and once no account is left to open a location the location count falls short.
"""
from __future__ import annotations

from dataclasses import dataclass

from include.errors import EltError


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int                  # rows in `accounts` when a history build ends (exactly)
    locations: int                 # rows in `locations` when a history build ends (exactly)
    devices_per_location: float    # mean tap devices per location
    users_per_account: float       # mean app users per account
    signups_per_day: float         # new accounts
    openings_per_day: float        # existing accounts opening another location
    lifecycle_speed: float         # multiplies lifecycle rates and divides lifecycle durations


SCALES: dict[str, Scale] = {
    # A tiny company whose lifecycle runs 30 times faster (a day holds a month of trials, upgrades,
    # churn and invites), so a test sees every kind of change within a day.
    "small": Scale("small", accounts=40, locations=60, devices_per_location=2.5, users_per_account=5.0,
                   signups_per_day=2.0, openings_per_day=1.0, lifecycle_speed=30.0),
    # The documented company: 20,000 customers with 30,000 locations.
    "seed": Scale("seed", accounts=20_000, locations=30_000, devices_per_location=2.5, users_per_account=5.0,
                  signups_per_day=12.0, openings_per_day=5.0, lifecycle_speed=1.0),
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise EltError(f"unknown scale {name!r}: use one of {', '.join(sorted(SCALES))}") from None
