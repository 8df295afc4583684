"""The deterministic business simulator: the app database (OLTP source) of a company that sells
tap telemetry and an app to bars and restaurants, driven by a seed, a scale and a clock.

    simulate(dsn, days=2)                 # build two days of history on an empty database
    simulate(dsn, advance=timedelta(minutes=15))   # move the clock; creates, updates, deletes
"""
from include.simulation.clock import parse_duration
from include.simulation.engine import simulate, simulated_clock
from include.simulation.scale import SCALES, Scale
from include.simulation.summary import SimulationSummary

__all__ = ["SCALES", "Scale", "SimulationSummary", "parse_duration", "simulate", "simulated_clock"]
