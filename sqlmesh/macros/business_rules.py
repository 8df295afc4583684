"""Business rules used by more than one model, defined once (DESIGN.md §8).

Scores are on a 0-100 scale. Their weights live in HEALTH_WEIGHTS and CHURN_WEIGHTS below and
nowhere else; the README's "Metric definitions" section repeats them for readers.
"""
from __future__ import annotations

from sqlmesh import macro

# Customer health: a weighted average of usage, engagement, payment health and support load.
HEALTH_WEIGHTS = {
    "device_usage": 0.20,      # device events in 30 days against what an active account's devices pour
    "device_uptime": 0.15,     # online share of heartbeats in 30 days
    "active_users": 0.15,      # monthly active users against licensed seats
    "feature_adoption": 0.15,  # features adopted against features available
    "payment": 0.25,           # 0 while delinquent, else reduced by recent failed payments
    "support": 0.10,           # reduced by support tickets in 30 days
}
# Churn risk: rises with falling usage, days since last activity, delinquency and low health.
CHURN_WEIGHTS = {
    "low_usage": 0.30,
    "inactivity": 0.25,        # days since last activity, saturating at 30
    "delinquency": 0.20,
    "low_health": 0.25,
}
EXPECTED_EVENTS_PER_DEVICE_30D = 300   # pours a healthy tap device records in 30 days
FAILED_PAYMENTS_SATURATION = 3         # this many failed payments in 30 days zero the payment part
TICKETS_SATURATION = 5                 # this many tickets in 30 days zero the support part
INACTIVITY_SATURATION_DAYS = 30

assert abs(sum(HEALTH_WEIGHTS.values()) - 1) < 1e-9 and abs(sum(CHURN_WEIGHTS.values()) - 1) < 1e-9


def _ratio(numerator, denominator) -> str:
    """numerator ÷ denominator clamped to [0, 1]; 0 when the denominator is 0 or NULL."""
    return f"LEAST(GREATEST(COALESCE(({numerator})::NUMERIC / NULLIF(({denominator})::NUMERIC, 0), 0), 0), 1)"


def _usage(device_events_30d, active_devices) -> str:
    return _ratio(device_events_30d, f"({active_devices}) * {EXPECTED_EVENTS_PER_DEVICE_30D}")


@macro()
def normalize_to_mrr(evaluator, amount, interval, interval_count):
    """A recurring amount per billing interval as a monthly amount: month ÷ interval_count;
    year ÷ (12 × interval_count); week × 52 ÷ 12 ÷ interval_count; day × 365 ÷ 12 ÷ interval_count."""
    return (f"(CASE ({interval}) WHEN 'month' THEN ({amount})::NUMERIC / ({interval_count}) "
            f"WHEN 'year' THEN ({amount})::NUMERIC / (12 * ({interval_count})) "
            f"WHEN 'week' THEN ({amount})::NUMERIC * 52 / 12 / ({interval_count}) "
            f"WHEN 'day' THEN ({amount})::NUMERIC * 365 / 12 / ({interval_count}) END)")


@macro()
def calculate_customer_health_score(evaluator, device_events_30d, active_devices, device_online_ratio,
                                    monthly_active_users, seats, features_adopted, features_available,
                                    is_delinquent, failed_payments_30d, support_tickets_30d):
    """0-100: weighted average of usage, engagement, payment health and support load (HEALTH_WEIGHTS)."""
    w = HEALTH_WEIGHTS
    payment = (f"(CASE WHEN ({is_delinquent}) THEN 0 ELSE 1 - "
               f"{_ratio(failed_payments_30d, FAILED_PAYMENTS_SATURATION)} END)")
    parts = [
        (w["device_usage"], _usage(device_events_30d, active_devices)),
        (w["device_uptime"], f"LEAST(GREATEST(COALESCE(({device_online_ratio})::NUMERIC, 0), 0), 1)"),
        (w["active_users"], _ratio(monthly_active_users, seats)),
        (w["feature_adoption"], _ratio(features_adopted, features_available)),
        (w["payment"], payment),
        (w["support"], f"(1 - {_ratio(support_tickets_30d, TICKETS_SATURATION)})"),
    ]
    return "ROUND(100 * (" + " + ".join(f"{weight} * {expr}" for weight, expr in parts) + "), 2)"


@macro()
def calculate_churn_risk_score(evaluator, subscription_status, device_events_30d, active_devices,
                               days_since_last_activity, is_delinquent, customer_health_score):
    """0-100: 100 for a canceled subscription; otherwise weighted low usage, inactivity,
    delinquency and low health (CHURN_WEIGHTS)."""
    w = CHURN_WEIGHTS
    parts = [
        (w["low_usage"], f"(1 - {_usage(device_events_30d, active_devices)})"),
        (w["inactivity"], _ratio(f"COALESCE({days_since_last_activity}, {INACTIVITY_SATURATION_DAYS})",
                                 INACTIVITY_SATURATION_DAYS)),
        (w["delinquency"], f"(CASE WHEN ({is_delinquent}) THEN 1 ELSE 0 END)"),
        (w["low_health"], f"(1 - LEAST(GREATEST(COALESCE(({customer_health_score})::NUMERIC, 0), 0), 100) / 100)"),
    ]
    score = " + ".join(f"{weight} * {expr}" for weight, expr in parts)
    return f"(CASE WHEN ({subscription_status}) = 'canceled' THEN 100 ELSE ROUND(100 * ({score}), 2) END)"
