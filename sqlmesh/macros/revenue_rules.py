"""Revenue rules used by the revenue marts, defined once (DESIGN.md §8).

MRR movements are classified per customer per month from the customer's MRR at the end of the
previous month (starting MRR) and at the end of the month (ending MRR), tested in this order:
  new          first month ever with MRR (no earlier month ended with MRR)
  reactivation MRR again after a month that ended without, having had MRR before
  churn        MRR went to zero
  expansion    MRR went up
  contraction  MRR went down, still above zero (cancelling one of several subscriptions)
  unchanged    anything else

Month-end MRR of past months is rebuilt from the billing record (intermediate.
int_subscriptions__monthly_mrr) with the discount rules of DESIGN.md §8 as of an instant:
@coupon_applies_at (is a coupon applying at that instant) and @item_discount_mrr (what the applying
coupons take off one item's gross MRR). They are the rules int_subscriptions__mrr applies to "now".

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


@macro()
def coupon_applies_at(evaluator, duration, duration_in_months, started_at, ends_at, period_start, at_ts):
    """A discount's coupon applies at the instant at_ts (DESIGN.md §8, as int_subscriptions__mrr for
    now): it has started (started_at <= at_ts), and then once = only while the billing period current
    at at_ts (starting period_start) is the first invoice period since the discount started
    (started_at >= period_start); repeating = until ends_at, else duration_in_months from started_at;
    forever = until ends_at if it has one."""
    return (f"(({started_at}) <= ({at_ts}) AND CASE ({duration}) "
            f"WHEN 'forever' THEN ({ends_at}) IS NULL OR ({at_ts}) < ({ends_at}) "
            f"WHEN 'repeating' THEN ({at_ts}) < COALESCE(({ends_at}), "
            f"({started_at}) + ({duration_in_months}) * INTERVAL '1 month') "
            f"WHEN 'once' THEN ({started_at}) >= ({period_start}) "
            f"ELSE FALSE END)")


@macro()
def item_discount_mrr(evaluator, gross_mrr, subscription_gross_mrr, percent_off, monthly_amount_off):
    """The monthly discount on one subscription item (DESIGN.md §8): percent_off % of its gross MRR,
    plus its share of the subscription's amount_off already normalised to a month (shared across the
    subscription's items in proportion to their gross MRR); never more than the item's gross MRR,
    0 for an item with no gross MRR."""
    g = f"({gross_mrr})"
    return (f"(CASE WHEN {g} > 0 THEN LEAST({g}, {g} * COALESCE(({percent_off}), 0) / 100 "
            f"+ COALESCE(({monthly_amount_off}), 0) * {g} / NULLIF(({subscription_gross_mrr}), 0)) "
            f"ELSE 0 END)")
