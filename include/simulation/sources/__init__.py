"""The external sources' side of the business (Stripe, HubSpot, the ad platforms, Iterable),
generated from the same truth as the app database and kept in `sim.api_objects`, which the mock
APIs serve. Every module in this package with a `generate(conn, window)` function is a generator;
they run in name order after each simulate() step, in the same transaction."""
from __future__ import annotations

import importlib
import pkgutil

from include.simulation.sources.store import Window, ensure_schema


def generators():
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "store")
    return [(name, importlib.import_module(f"{__name__}.{name}").generate) for name in names]


def generate_all(conn, window: Window, say) -> dict[str, dict[str, int]]:
    """Run every source generator over the window; returns objects written per source and type."""
    ensure_schema(conn)
    written = {}
    for name, generate in generators():
        written[name] = generate(conn, window)
        say(f"{name}: {sum(written[name].values()):,} API objects written")
    return written
