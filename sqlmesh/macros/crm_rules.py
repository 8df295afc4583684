"""CRM classification rules for the crm star (sqlmesh/models/crm/), defined once.

Every threshold a crm model classifies by lives in the constants below and nowhere else; the
models' column_descriptions and the README repeat them for readers.
"""
from __future__ import annotations

from sqlmesh import macro

# Revenue segment of an account by its current MRR (USD / month), lower bound inclusive.
REVENUE_SEGMENTS = (("enterprise", 10_000), ("large", 2_000), ("medium", 500), ("small", 0))

# Price tier of a product by its list price, lower bound inclusive. Subscription plans are tiered on
# their price per seat per month (list price ÷ billing-period months); hardware on its unit price.
PRICE_TIERS_SERVICE = (("luxury", 140), ("premium", 90), ("mid-range", 50), ("budget", 0))
PRICE_TIERS_HARDWARE = (("luxury", 250), ("premium", 200), ("mid-range", 150), ("budget", 0))

# Seniority from a free-text job title: the first rule whose pattern (case-insensitive POSIX regex)
# matches wins; no match is an individual contributor.
SENIORITY_RULES = (
    ("C-level", r"[[:<:]](ceo|cfo|coo|cto|cmo|cio|chief|founder|owner|president|managing director)[[:>:]]"),
    ("VP", r"[[:<:]](vp|svp|evp|vice president)[[:>:]]"),
    ("director", r"[[:<:]]director[[:>:]]"),
    ("individual contributor", r"[[:<:]]assistant[[:>:]]"),
    ("manager", r"[[:<:]](manager|head|lead|supervisor)[[:>:]]"),
)
SENIORITY_DEFAULT = "individual contributor"

# Support SLA targets per ticket priority, in hours: (first agent reply, resolution).
SLA_TARGET_HOURS = {"URGENT": (1, 24), "HIGH": (2, 48), "MEDIUM": (8, 72), "LOW": (24, 120)}
# Priority score, 0-100: how much a ticket of the priority weighs in support workload.
PRIORITY_SCORES = {"URGENT": 100, "HIGH": 75, "MEDIUM": 50, "LOW": 25}

# An account with no app customer relationship and no deal or activity for this long is inactive.
INACTIVE_AFTER_DAYS = 90


def _bands(value: str, bands) -> str:
    whens = " ".join(f"WHEN ({value}) >= {low} THEN '{name}'" for name, low in bands[:-1])
    return f"(CASE WHEN ({value}) IS NULL THEN NULL {whens} ELSE '{bands[-1][0]}' END)"


@macro()
def crm_revenue_segment(evaluator, mrr):
    """small (< 500), medium (500-1,999.99), large (2,000-9,999.99), enterprise (≥ 10,000) USD MRR;
    NULL when mrr is NULL."""
    return _bands(mrr, REVENUE_SEGMENTS)


@macro()
def crm_price_tier(evaluator, product_type, unit_price, billing_months):
    """budget, mid-range, premium or luxury. Services: per seat per month (unit_price ÷
    billing_months) < 50, 50-89.99, 90-139.99, ≥ 140. Hardware: unit price < 150, 150-199.99,
    200-249.99, ≥ 250."""
    monthly = f"(({unit_price})::NUMERIC / NULLIF(({billing_months}), 0))"
    return (f"(CASE WHEN ({product_type}) = 'service' THEN {_bands(monthly, PRICE_TIERS_SERVICE)} "
            f"ELSE {_bands(unit_price, PRICE_TIERS_HARDWARE)} END)")


@macro()
def crm_seniority(evaluator, job_title):
    """C-level, VP, director, manager or individual contributor from a job title (SENIORITY_RULES)."""
    whens = " ".join(f"WHEN ({job_title}) ~* '{pattern}' THEN '{level}'" for level, pattern in SENIORITY_RULES)
    return f"(CASE {whens} ELSE '{SENIORITY_DEFAULT}' END)"


def _by_priority(priority: str, values: dict) -> str:
    whens = " ".join(f"WHEN '{p}' THEN {v}" for p, v in values.items())
    return f"(CASE UPPER({priority}) {whens} END)"


@macro()
def crm_first_reply_target_hours(evaluator, priority):
    """First agent reply SLA in hours: URGENT 1, HIGH 2, MEDIUM 8, LOW 24."""
    return _by_priority(priority, {p: t[0] for p, t in SLA_TARGET_HOURS.items()})


@macro()
def crm_resolution_target_hours(evaluator, priority):
    """Resolution SLA in hours: URGENT 24, HIGH 48, MEDIUM 72, LOW 120."""
    return _by_priority(priority, {p: t[1] for p, t in SLA_TARGET_HOURS.items()})


@macro()
def crm_priority_score(evaluator, priority):
    """0-100: URGENT 100, HIGH 75, MEDIUM 50, LOW 25."""
    return _by_priority(priority, PRIORITY_SCORES)


@macro()
def crm_inactive_after_days(evaluator):
    """Days without a deal or an activity after which a non-customer account is inactive (90)."""
    return str(INACTIVE_AFTER_DAYS)


def _elapsed(start, end, seconds: int) -> str:
    return (f"(CASE WHEN ({end}) >= ({start}) THEN EXTRACT(EPOCH FROM ({end}) - ({start})) / {seconds} "
            f"WHEN ({end}) < ({start}) THEN 0 END)")


@macro()
def crm_days_between(evaluator, start, end):
    """Days from start to end (fractional, unrounded); 0 if end is before start; NULL if either is NULL."""
    return _elapsed(start, end, 86400)


@macro()
def crm_hours_between(evaluator, start, end):
    """Hours from start to end (fractional, unrounded); 0 if end is before start; NULL if either is NULL."""
    return _elapsed(start, end, 3600)
