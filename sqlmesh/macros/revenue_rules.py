"""Revenue rules used by the revenue marts, defined once (DESIGN.md §8).

MRR movements are classified per customer per month from the customer's MRR at the end of the
previous month (starting MRR) and at the end of the month (ending MRR), tested in this order:
  new          first month ever with MRR (no earlier month ended with MRR)
  reactivation MRR again after a month that ended without, having had MRR before
  churn        MRR went to zero
  expansion    MRR went up
  contraction  MRR went down, still above zero (cancelling one of several subscriptions)
  unchanged    anything else

GROSS_MARGIN is the one place the gross margin used by LTV lives: LTV = ARPA × GROSS_MARGIN ÷
trailing six-month average logo churn rate. It is an assumption (the warehouse holds no cost of
revenue), 80% - a typical SaaS gross margin. Change it here; the README repeats it for readers.
"""
from __future__ import annotations

from sqlmesh import macro

GROSS_MARGIN = 0.80
# LTV divides by the average logo churn rate of the month and the LTV_CHURN_MONTHS - 1 before it.
LTV_CHURN_MONTHS = 6

MOVEMENT_TYPES = ("new", "reactivation", "churn", "expansion", "contraction", "unchanged")


@macro()
def mrr_movement_type(evaluator, starting_mrr, ending_mrr, had_mrr_before):
    """The month's MRR movement of a customer (DESIGN.md §8 order): new, reactivation, churn,
    expansion, contraction or unchanged. had_mrr_before: an earlier month ended with MRR > 0."""
    s = f"COALESCE(({starting_mrr}), 0)"
    e = f"COALESCE(({ending_mrr}), 0)"
    before = f"COALESCE(({had_mrr_before}), FALSE)"
    return (f"(CASE WHEN {e} > 0 AND NOT {before} THEN 'new' "
            f"WHEN {e} > 0 AND {s} = 0 AND {before} THEN 'reactivation' "
            f"WHEN {s} > 0 AND {e} = 0 THEN 'churn' "
            f"WHEN {e} > {s} THEN 'expansion' "
            f"WHEN {e} < {s} THEN 'contraction' "
            f"ELSE 'unchanged' END)")


@macro()
def gross_margin(evaluator):
    """The gross margin LTV assumes (GROSS_MARGIN, a fraction)."""
    return f"{GROSS_MARGIN}::NUMERIC"


@macro()
def trailing_logo_churn_rate(evaluator, logo_churn_rate, month_column):
    """Average of the monthly logo churn rate over the month and the LTV_CHURN_MONTHS − 1 months
    before it (one row per calendar month; months without a rate are skipped)."""
    return (f"AVG({logo_churn_rate}) OVER (ORDER BY {month_column} "
            f"ROWS BETWEEN {LTV_CHURN_MONTHS - 1} PRECEDING AND CURRENT ROW)")
