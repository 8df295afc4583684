"""What one simulate() call did, as a value and as a short table for the CLI."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SimulationSummary:
    seed: int
    scale: str
    built: bool                         # True: history built on an empty database; False: clock advanced
    clock_before: dt.datetime
    clock_after: dt.datetime
    ticks: int
    rows: dict[str, int]                # rows per app table after the run
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        what = "built history" if self.built else "advanced the clock"
        lines = [f"{what}: {self.clock_before:%Y-%m-%d %H:%M}Z -> {self.clock_after:%Y-%m-%d %H:%M}Z "
                 f"({self.ticks} ticks, seed {self.seed}, scale {self.scale})",
                 f"  {'table':<20}{'rows':>12}{'inserted':>12}{'updated':>10}{'deleted':>10}"]
        for table, count in self.rows.items():
            lines.append(f"  {table:<20}{count:>12,}{self.inserted.get(table, 0):>12,}"
                         f"{self.updated.get(table, 0):>10,}{self.deleted.get(table, 0):>10,}")
        return "\n".join(lines)
