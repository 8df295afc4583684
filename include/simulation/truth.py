"""Each account's hidden truth: stable propensities that drive its behaviour in every source.

Derived from (seed, account id) alone, so any generator can recompute it; it is also written to
`sim.account_truth` for SQL checks (for example: do churn scores rank the churners?).
"""
from __future__ import annotations

from dataclasses import dataclass

from include.simulation.randomness import traits


@dataclass(frozen=True, slots=True)
class AccountTruth:
    churn_propensity: float      # 0-1; mostly low, a few accounts very likely to leave
    engagement: float            # 0-1; how much the staff use the app and the taps pour; low for churners
    expansion_propensity: float  # 0-1; upgrades, more seats, more locations
    payment_reliability: float   # 0-1; low means failed payments and dunning
    salt: int                    # 63 stable bits for later generators to derive their own facts


def account_truth(seed: int, account_id: str) -> AccountTruth:
    churn_u, engage_u, expand_u, pay_u, salt_u = traits(seed, account_id, 5)
    churn = churn_u ** 2
    return AccountTruth(
        churn_propensity=round(churn, 4),
        engagement=round(min(1.0, max(0.02, 1.0 - 0.6 * churn - 0.4 * engage_u ** 2)), 4),
        expansion_propensity=round(expand_u * (1.0 - 0.5 * churn), 4),
        payment_reliability=round(1.0 - 0.6 * pay_u ** 3, 4),
        salt=int(salt_u * 2 ** 63),
    )
