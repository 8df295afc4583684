"""Multi-touch attribution weights (DESIGN.md §8), defined once.

Each macro returns the credit one touchpoint of a conversion path gets under its model, from the
touch's position (1 = first) in the path, the path's length n and, for time decay, the days from
the touch to the conversion. For every model, a conversion's credits sum to 1:
  first touch  1 for position 1
  last touch   1 for position n
  linear       1 / n
  time decay   2^(−days before conversion ÷ TIME_DECAY_HALF_LIFE_DAYS), normalised over the path
  U-shaped     n = 1: 1; n = 2: 0.5 each; n ≥ 3: U_SHAPED_ENDS each to the first and last touch,
               the remaining 1 − 2 × U_SHAPED_ENDS shared equally by the n − 2 middle touches
"""
from __future__ import annotations

from sqlmesh import macro

TIME_DECAY_HALF_LIFE_DAYS = 7
U_SHAPED_ENDS = 0.4  # 40% first, 40% last, 20% shared by the middle


@macro()
def attribution_first_touch(evaluator, position, path_length):
    """Credit under first-touch attribution: all of it to the first touch."""
    return f"(CASE WHEN ({position}) = 1 THEN 1 ELSE 0 END)::NUMERIC"


@macro()
def attribution_last_touch(evaluator, position, path_length):
    """Credit under last-touch attribution: all of it to the last touch."""
    return f"(CASE WHEN ({position}) = ({path_length}) THEN 1 ELSE 0 END)::NUMERIC"


@macro()
def attribution_linear(evaluator, position, path_length):
    """Credit under linear attribution: 1 / n to every touch."""
    return f"(1::NUMERIC / ({path_length}))"


def _time_decay_weight(days_before_conversion) -> str:
    """Unnormalised time-decay weight 2^(−days ÷ half-life); a touch with negative or unknown days
    weighs as one at the conversion."""
    return (f"POWER(2::NUMERIC, -GREATEST(COALESCE(({days_before_conversion})::NUMERIC, 0), 0)"
            f" / {TIME_DECAY_HALF_LIFE_DAYS})")


@macro()
def attribution_time_decay(evaluator, days_before_conversion, conversion_key):
    """Credit under time-decay attribution: the touch's weight 2^(−days ÷ 7) over the sum of the
    weights of its conversion's path (a window over conversion_key)."""
    weight = _time_decay_weight(days_before_conversion)
    return f"({weight} / SUM({weight}) OVER (PARTITION BY {conversion_key}))"


@macro()
def attribution_u_shaped(evaluator, position, path_length):
    """Credit under U-shaped attribution: 100% for one touch, 50/50 for two, else 40% first,
    40% last and 20% shared by the middle touches."""
    ends = U_SHAPED_ENDS
    middle = 1 - 2 * ends
    return (f"(CASE WHEN ({path_length}) = 1 THEN 1::NUMERIC "
            f"WHEN ({path_length}) = 2 THEN 0.5::NUMERIC "
            f"WHEN ({position}) = 1 OR ({position}) = ({path_length}) THEN {ends}::NUMERIC "
            f"ELSE {middle:.10g}::NUMERIC / (({path_length}) - 2) END)")
