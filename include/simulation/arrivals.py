"""Sign-ups and location openings per tick. They depend only on (seed, tick, time), never on the
state of the business, so a history build can count them before it creates the population and end
with exactly the scale's accounts and locations.
"""
from __future__ import annotations

from dataclasses import dataclass

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.clock import Tick
from include.simulation.profiles import AccountDraft, draft_account
from include.simulation.randomness import poisson
from include.simulation.scale import Scale

_MEAN_LOCATION_WEIGHT = (sum(w * c.LOCATION_WEIGHT_BY_SIZE[size]
                             for size, w in zip(c.COMPANY_SIZES, c.COMPANY_SIZE_WEIGHTS, strict=True))
                         / sum(c.COMPANY_SIZE_WEIGHTS))
SIGNUP_EXTRA_LOCATIONS = 0.3           # mean extra locations at sign-up; accounts grow through openings
_SIGNUP_OFFSET_HOURS = -5              # sign-ups follow the biggest market's business day


@dataclass(frozen=True)
class Signup:
    at: int
    draft: AccountDraft
    locations: int


@dataclass(frozen=True)
class Arrivals:
    signups: tuple[Signup, ...]
    openings: int

    @property
    def new_locations(self) -> int:
        return sum(s.locations for s in self.signups) + self.openings


def rhythm(by_hour: tuple[float, ...], by_weekday: tuple[float, ...], offset_hours: int, tick: Tick) -> float:
    """Activity factor at the tick's midpoint, local time."""
    local = (tick.start + tick.end) // 2 + offset_hours * b.HOUR
    return by_hour[(local // b.HOUR) % 24] * by_weekday[(local // b.DAY + 3) % 7]   # 1970-01-01 was a Thursday


def plan(tick: Tick, scale: Scale, growth: float) -> Arrivals:
    """growth < 1 slows arrivals during long history builds (behaviour.MAX_HISTORY_GROWTH)."""
    rng = tick.rng("arrivals")
    factor = rhythm(b.SIGNUPS_BY_HOUR, b.SIGNUPS_BY_WEEKDAY, _SIGNUP_OFFSET_HOURS, tick)
    signups = []
    for _ in range(poisson(rng, scale.signups_per_day * growth * tick.days * factor)):
        at = tick.start + int(rng.random() * (tick.end - tick.start))
        draft = draft_account(rng)
        weight = c.LOCATION_WEIGHT_BY_SIZE[draft.company_size] / _MEAN_LOCATION_WEIGHT
        signups.append(Signup(at, draft, 1 + poisson(rng, SIGNUP_EXTRA_LOCATIONS * weight)))
    signups.sort(key=lambda s: (s.at, s.draft.id))
    openings = poisson(rng, scale.openings_per_day * growth * tick.days * factor)
    return Arrivals(tuple(signups), openings)


def history_growth(scale: Scale, days: int) -> float:
    return min(1.0, b.MAX_HISTORY_GROWTH * scale.accounts / (days * scale.signups_per_day))
