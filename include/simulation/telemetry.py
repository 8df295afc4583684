"""What the taps send in one tick: pours, hourly heartbeats and errors, as COPY lines.

The hot loops bind locals and build f-strings directly: at seed scale they produce millions of
rows per simulated day.
"""
from __future__ import annotations

import random

from include.simulation import behaviour as b
from include.simulation import catalog as c
from include.simulation.arrivals import rhythm
from include.simulation.clock import Tick
from include.simulation.copytext import ts
from include.simulation.randomness import new_id, poisson
from include.simulation.world import Device, World, is_serving

_OFFSETS = tuple(c.TIMEZONE_OFFSETS[tz] for tz in c.TIMEZONES)
# Weighted choices as 100-slot lookup tables: one random() per draw instead of random.choices.
_POUR_SIZES = tuple(size for size, w in zip(c.POUR_SIZES_ML, c.POUR_SIZE_WEIGHTS, strict=True) for _ in range(w))
_RANDOM_ERRORS = tuple(code for code, (_, _, w) in c.DEVICE_ERRORS.items() for _ in range(w))
_BEVERAGES = c.BEVERAGES
WEEK = 7 * b.DAY


def run(world: World, tick: Tick, out: dict[str, list[str]]) -> None:
    pours(world, tick, out["tap_events"])
    heartbeats(world, tick, out["device_heartbeats"])
    errors(world, tick, out["device_errors"])


def pours(world: World, tick: Tick, lines: list[str]) -> None:
    rng = tick.rng("pours")
    rand, start, length = rng.random, tick.start, tick.end - tick.start
    late_commit, late_event = b.LATE_COMMIT_SHARE, b.LATE_EVENT_SHARE
    (delay_lo, delay_hi), (late_lo, late_hi) = b.INGEST_DELAY, b.LATE_EVENT_DELAY
    sizes, n_sizes, beverages, n_bev = _POUR_SIZES, len(_POUR_SIZES), _BEVERAGES, len(_BEVERAGES)
    append = lines.append
    for tz, pool in enumerate(world.pour_pools):
        lam = pool.total * b.POURS_PER_DEVICE_DAY * tick.days * rhythm(b.POURS_BY_HOUR, b.POURS_BY_WEEKDAY,
                                                                        _OFFSETS[tz], tick)
        n = poisson(rng, lam)
        if not n:
            continue
        for d in rng.choices(pool.items, cum_weights=pool.cum, k=n):
            if d.status != "online" or not is_serving(d):
                continue
            if rand() < late_commit:
                written = start - 1 - int(rand() * b.LATE_COMMIT_MAX)
            else:
                written = start + int(rand() * length)
            if rand() < late_event:     # buffered on the device, delivered hours later
                poured = written - late_lo - int(rand() * (late_hi - late_lo))
            else:
                poured = written - delay_lo - int(rand() * (delay_hi - delay_lo))
            if poured < d.installed_at:
                continue
            r = rand()
            if r < 0.02:                # line cleaning and test pours
                volume = 20 + int(rand() * 100)
            else:
                volume = int(sizes[int(rand() * n_sizes)] * (0.93 + 0.12 * rand()))
            duration = int(volume * 1000 / (55.0 + 20.0 * rand()))
            temperature = 8.0 + 8.0 * rand() if r > 0.99 else 1.5 + 3.5 * rand()    # a few warm lines
            w = ts(written)
            append(f"{new_id(rng)}\t{d.id}\t{d.location.id}\t{ts(poured)}\t"
                   f"{beverages[(d.beverage_index + poured // WEEK) % n_bev]}\t{volume}\t{duration}\t"
                   f"{temperature:.1f}\t{w}\t{w}\n")


def heartbeats(world: World, tick: Tick, lines: list[str]) -> None:
    """Each installed device reports once an hour at its own offset; the row is written then, and
    its sent_at is the device clock a moment earlier."""
    rng = tick.rng("heartbeats")
    rand, start, end = rng.random, tick.start, tick.end
    delay_lo, delay_hi = b.INGEST_DELAY
    append, slots = lines.append, world.heartbeat_minutes
    for hour in range(start // b.HOUR, (end - 1) // b.HOUR + 1):
        base = hour * b.HOUR
        lo, hi = max(start - base, 0), min(end - base, b.HOUR)
        for minute in range(lo // b.MINUTE, (hi - 1) // b.MINUTE + 1):
            for d in slots[minute]:
                offset = d.heartbeat_offset
                if offset < lo or offset >= hi:
                    continue
                status = d.status
                if status == "online":
                    signal = str(d.signal_base + int(rand() * 11) - 5)
                elif status == "offline":
                    signal = r"\N"
                else:
                    continue
                written = base + offset
                if written < d.installed_at or not is_serving(d):
                    continue
                if rand() < b.LATE_COMMIT_SHARE:
                    written = start - 1 - int(rand() * b.LATE_COMMIT_MAX)
                w = ts(written)
                append(f"{new_id(rng)}\t{d.id}\t{ts(written - delay_lo - int(rand() * (delay_hi - delay_lo)))}\t"
                       f"{status}\t{d.firmware_version}\t{signal}\t{w}\t{w}\n")


def errors(world: World, tick: Tick, lines: list[str]) -> None:
    rng = tick.rng("errors")
    for pool in world.pour_pools:
        n = poisson(rng, len(pool.items) * b.ERRORS_PER_DEVICE_DAY * tick.days)
        if not n:
            continue
        for d in rng.choices(pool.items, cum_weights=pool.cum, k=n):
            if d.status == "online" and is_serving(d):
                written = tick.write_time(rng)
                code = _RANDOM_ERRORS[int(rng.random() * len(_RANDOM_ERRORS))]
                lines.append(error_line(rng, d, code, written))


def error_line(rng: random.Random, d: Device, code: str, written: int) -> str:
    severity, message, _ = c.DEVICE_ERRORS[code]
    low, high = b.INGEST_DELAY
    occurred = written - low - int(rng.random() * (high - low))
    if rng.random() < b.LATE_EVENT_SHARE:
        occurred = max(d.installed_at or d.created_at, occurred - b.LATE_EVENT_DELAY[0])
    w = ts(written)
    return f"{new_id(rng)}\t{d.id}\t{ts(occurred)}\t{code}\t{severity}\t{message}\t{w}\t{w}\n"
