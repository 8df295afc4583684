"""The simulated clock: durations, 15-minute ticks, and the state row in `sim.state`."""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import Iterator

import psycopg

from include.errors import EltError
from include.simulation import behaviour as b
from include.simulation.copytext import to_datetime, to_us
from include.simulation.randomness import rng_for

TICK = 15 * b.MINUTE
MAX_DAYS = 3650
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+)\s*([smhd])")


def parse_duration(text: str) -> dt.timedelta:
    """'15m', '2h', '1d', '90s', or a sum such as '1h30m'."""
    cleaned = (text or "").strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or _DURATION.sub("", cleaned).strip():
        raise EltError(f"bad duration {text!r}: use a number and a unit (s, m, h or d), e.g. 90s, 15m, 2h, 1d")
    duration = dt.timedelta(seconds=sum(int(n) * _UNITS[unit] for n, unit in parts))
    if not duration:
        raise EltError(f"bad duration {text!r}: it must be longer than zero, e.g. 15m")
    check_advance(duration)
    return duration


def check_advance(duration: dt.timedelta) -> None:
    if duration <= dt.timedelta(0):
        raise EltError(f"bad advance {duration}: the clock only moves forward; use a positive duration such as 15m")
    if duration > dt.timedelta(days=MAX_DAYS):
        raise EltError(f"bad advance {duration}: at most {MAX_DAYS} days at once")


def check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise EltError(f"bad days {days!r}: use a whole number of days between 1 and {MAX_DAYS}")


def wall_clock() -> dt.datetime:
    """The only wall-clock read: it anchors the end of the first history build."""
    return dt.datetime.now(dt.timezone.utc)


def history_end() -> int:
    return to_us(wall_clock().replace(second=0, microsecond=0))


@dataclass(frozen=True, slots=True)
class Tick:
    seed: int
    index: int                          # counts every tick since the history start
    start: int
    end: int

    @property
    def days(self) -> float:
        return (self.end - self.start) / b.DAY

    def rng(self, stream: str) -> random.Random:
        return rng_for(self.seed, self.index, stream)

    def write_time(self, rng: random.Random) -> int:
        """When a row produced in this tick is written; a few commit late, before the tick began."""
        if rng.random() < b.LATE_COMMIT_SHARE:
            return self.start - 1 - int(rng.random() * b.LATE_COMMIT_MAX)
        return self.start + int(rng.random() * (self.end - self.start))


def ticks(seed: int, first_index: int, start: int, end: int) -> Iterator[Tick]:
    """15-minute ticks from start to end; the last one is shorter when the span is not a multiple."""
    index, at = first_index, start
    while at < end:
        nxt = min(at + TICK, end)
        yield Tick(seed, index, at, nxt)
        index, at = index + 1, nxt


@dataclass(frozen=True)
class State:
    seed: int
    scale: str
    history_start: int
    clock: int
    tick_count: int


def read_state(conn: psycopg.Connection) -> State | None:
    row = conn.execute("SELECT seed, scale, history_start, clock, tick_count FROM sim.state").fetchone()
    if row is None:
        return None
    seed, scale, start, clock, count = row
    return State(seed, scale, to_us(start), to_us(clock), count)


def write_state(conn: psycopg.Connection, state: State) -> None:
    conn.execute("INSERT INTO sim.state (seed, scale, history_start, clock, tick_count) VALUES (%s, %s, %s, %s, %s) "
                 "ON CONFLICT (singleton) DO UPDATE SET clock = excluded.clock, tick_count = excluded.tick_count",
                 (state.seed, state.scale, to_datetime(state.history_start), to_datetime(state.clock),
                  state.tick_count))
