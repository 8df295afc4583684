"""The MRR the warehouse reports is the MRR the simulator is billing, to the cent. The simulator
writes the business, the real mock server serves it, every source is extracted into a real
warehouse and the platform's transform builds it (conftest's built_warehouse); the test then recomputes MRR in plain Python from the
simulator's own Stripe objects (sim.api_objects), applying DESIGN.md §8, and compares it with
entity.entity_customers and with entity.entity_subscriptions (the same number wherever it
appears)."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from include.warehouse.connect import connect

pytestmark = pytest.mark.slow
CENT = Decimal("0.01")
COUNTED = {"active", "past_due"}


def q(url, sql, args=()):
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def add_months(ts: int, months: int) -> int:
    t = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    month = t.month - 1 + months
    year, month = t.year + month // 12, month % 12 + 1
    return int(t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1])).timestamp())


def to_month(amount: Decimal, interval: str, count: int) -> Decimal:
    """DESIGN.md §8: month ÷ n; year ÷ (12 n); week × 52 ÷ 12 ÷ n; day × 365 ÷ 12 ÷ n."""
    return {"month": amount / count, "year": amount / (12 * count),
            "week": amount * 52 / 12 / count, "day": amount * 365 / 12 / count}[interval]


def coupon_applies(discount: dict, coupon: dict, period_start: int, now: int) -> bool:
    """While the coupon applies: once = its first invoice period only, repeating = duration_in_months
    from the discount's start, forever = always."""
    if coupon["duration"] == "forever":
        return True
    if coupon["duration"] == "repeating":
        return now < (discount.get("end") or add_months(discount["start"], coupon["duration_in_months"]))
    return discount["start"] >= period_start


def expected_mrr(app, now: int) -> tuple[Decimal, int]:
    objects = {t: {i: p for i, p in q(app, "SELECT id, payload FROM sim.api_objects WHERE source = 'stripe' "
                                           "AND object_type = %s AND NOT deleted", (t,))}
               for t in ("subscriptions", "discounts", "coupons")}
    total, counted = Decimal(0), 0
    for sub in objects["subscriptions"].values():
        if sub["status"] not in COUNTED or (sub.get("trial_end") or 0) > now:
            continue
        items = []
        for item in sub["items"]["data"]:
            price, recurring = item["price"], item["price"].get("recurring")
            if price.get("type") == "one_time" or not recurring or recurring.get("usage_type") == "metered":
                continue
            gross = to_month(Decimal(price["unit_amount"]) / 100 * item["quantity"], recurring["interval"],
                             recurring.get("interval_count") or 1)
            items.append((gross, recurring["interval"], recurring.get("interval_count") or 1,
                          item["current_period_start"]))
        if not items:
            continue
        counted += 1
        sub_gross = sum(g for g, *_ in items)
        interval, count = min(i for _, i, _, _ in items), min(c for _, _, c, _ in items)
        period_start = min(p for *_, p in items)
        percent, amount = Decimal(0), Decimal(0)
        for ref in sub.get("discounts") or []:
            discount = objects["discounts"].get(ref if isinstance(ref, str) else ref["id"])
            if discount is None:
                continue
            coupon = objects["coupons"][discount["source"]["coupon"]]
            if coupon_applies(discount, coupon, period_start, now):
                percent += Decimal(str(coupon.get("percent_off") or 0))
                amount += Decimal(coupon.get("amount_off") or 0) / 100
        for gross, *_ in items:
            off = gross * percent / 100
            if amount and sub_gross:
                off += to_month(amount, interval, count) * gross / sub_gross
            off = min(gross, off) if gross > 0 else Decimal(0)
            total += (gross - off).quantize(CENT, rounding=ROUND_HALF_UP)
    return total, counted


def test_entity_mrr_equals_what_the_simulator_bills(built_warehouse):
    app, wh = built_warehouse.app, built_warehouse.warehouse
    # As of the build: entity_customers is the MRR at the time the transform ran.
    now = int(built_warehouse.built_at.timestamp())

    expected, subscriptions = expected_mrr(app, now)
    assert subscriptions > 0 and expected > 0, "the simulator bills something"
    (customers_mrr, customers), = q(wh, "SELECT sum(monthly_recurring_revenue), count(*) FROM entity.entity_customers")
    assert customers > 0
    assert customers_mrr == expected, f"entity_customers MRR {customers_mrr} != simulator's {expected}"
    (subs_mrr, counted), = q(wh, "SELECT sum(monthly_recurring_revenue), count(*) FILTER (WHERE is_mrr_counted) "
                                 "FROM entity.entity_subscriptions")
    assert subs_mrr == customers_mrr, "entity_subscriptions and entity_customers disagree on MRR"
    assert counted == subscriptions
    (items_mrr,), = q(wh, "SELECT sum(mrr) FROM intermediate.int_subscriptions__mrr")
    assert items_mrr == customers_mrr
