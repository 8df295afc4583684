"""Rules of the metrics layer (schema `metrics`), defined once.

METRICS is the catalogue of the metrics that metrics.metrics_unified_domains publishes in long
format: for each domain, the wide model it reads, the column that identifies the entity, and every
metric column with its importance tier. It is the ONE place a metric's tier is defined:
@metric_tier turns it into SQL, and @metric_names / @metric_values unpivot a domain's wide model.
  tier_1  board and executive KPIs (DESIGN.md §8 / the seed's strategic KPIs) - alert on these
  tier_2  the domain teams' operational KPIs
  tier_3  diagnostic and supporting measures

The other constants are the thresholds and weights of the metrics the seed left undefined
(survey scores, device health, composite success, expansion potential, stalled deals); the README repeats them for readers.
"""
from __future__ import annotations

from sqlmesh import macro

# -- thresholds -------------------------------------------------------------------------------------
SURVEY_WINDOW_DAYS = 90               # NPS and CSAT are read over the responses of the trailing 90 days
NPS_PROMOTER_MIN = 9                  # NPS 0-10: promoters 9-10, detractors 0-6
NPS_DETRACTOR_MAX = 6
CSAT_SATISFIED_MIN = 4                # CSAT 1-5: satisfied = 4 or 5
STALLED_DEAL_DAYS = 30                # an open deal is stalled after this many days in its current stage
DEVICE_ERRORS_SATURATION_30D = 10     # this many warning/error/critical errors in 30 days zero a device's error part

# -- weights (each set sums to 1) ---------------------------------------------------------------------
# Device health 0-100: uptime, less a penalty for errors.
DEVICE_HEALTH_WEIGHTS = {"uptime": 0.80, "errors": 0.20}
# A user's engagement 0-100 over the trailing 30 days.
USER_ENGAGEMENT_WEIGHTS = {
    "active_days": 0.50,       # active days ÷ 30
    "sessions": 0.25,          # sessions ÷ 30 (one a day saturates)
    "feature_breadth": 0.25,   # distinct features used ÷ features available
}
# Composite success 0-100: the customer's health, its users' engagement and its feature adoption.
COMPOSITE_SUCCESS_WEIGHTS = {"health": 0.50, "engagement": 0.25, "adoption": 0.25}
# Expansion potential 0-100 (a transparent heuristic, not a predictive model): seat utilisation
# (MAU ÷ seats: a customer using all its seats needs more), health and breadth of adoption.
EXPANSION_WEIGHTS = {"seat_utilisation": 0.40, "health": 0.30, "adoption": 0.30}

for _weights in (DEVICE_HEALTH_WEIGHTS, USER_ENGAGEMENT_WEIGHTS, COMPOSITE_SUCCESS_WEIGHTS, EXPANSION_WEIGHTS):
    assert abs(sum(_weights.values()) - 1) < 1e-9

# -- the catalogue: domain -> (model, entity expression, {metric column: tier}) ----------------------
# The entity of a row: the customer for customer success, the deal owner (sales rep) for sales,
# 'all' for product (product-wide metrics), the channel for marketing.
METRICS: dict[str, tuple[str, str, dict[str, str]]] = {
    "customer_success": ("metrics.metrics_customer_success", "customer_key", {
        "customer_health_score": "tier_1",
        "churn_risk_score": "tier_1",
        "current_mrr": "tier_1",
        "composite_success_score": "tier_2",
        "monthly_active_users": "tier_2",
        "user_activation_rate": "tier_2",
        "avg_engagement_score": "tier_2",
        "features_adopted": "tier_3",
        "core_feature_adoption_rate": "tier_2",
        "support_tickets_30d": "tier_2",
        "ticket_resolution_rate": "tier_2",
        "avg_ticket_resolution_hours": "tier_2",
        "active_device_count": "tier_3",
        "avg_device_health_score": "tier_2",
        "volume_processed_30d": "tier_3",
        "nps_score": "tier_1",
        "csat_score": "tier_2",
        "time_to_value_days": "tier_2",
        "expansion_potential_score": "tier_2",
    }),
    "sales": ("metrics.metrics_sales", "owner_id", {
        "total_pipeline_value": "tier_1",
        "open_opportunities": "tier_2",
        "pipeline_coverage_ratio": "tier_1",
        "deals_won_mtd": "tier_2",
        "revenue_closed_mtd": "tier_1",
        "win_rate": "tier_1",
        "avg_deal_size": "tier_2",
        "avg_sales_cycle_days": "tier_2",
        "calls_made_30d": "tier_3",
        "emails_sent_30d": "tier_3",
        "meetings_held_30d": "tier_3",
        "total_mqls": "tier_2",
        "mql_conversion_rate": "tier_2",
        "quota_attainment_pct": "tier_1",
        "forecast_amount": "tier_1",
        "stalled_deal_count": "tier_2",
        "renewal_rate": "tier_2",
    }),
    "product": ("metrics.metrics_product_analytics", "'all'", {
        "daily_active_users": "tier_1",
        "weekly_active_users": "tier_2",
        "monthly_active_users": "tier_1",
        "dau_mau_ratio": "tier_1",
        "wau_mau_ratio": "tier_2",
        "avg_session_duration": "tier_2",
        "sessions_per_user": "tier_3",
        "avg_features_used_per_user": "tier_3",
        "power_users": "tier_3",
        "power_user_percentage": "tier_2",
        "desktop_usage_pct": "tier_3",
        "mobile_usage_pct": "tier_3",
        "avg_30d_retention_rate": "tier_1",
        "feature_release_adoption_7d": "tier_2",
        "error_rate_pct": "tier_2",
        "crash_free_session_rate": "tier_1",
    }),
    "marketing": ("metrics.metrics_marketing", "channel", {
        "total_ad_spend_active": "tier_1",
        "overall_roi": "tier_1",
        "total_mqls": "tier_2",
        "lead_conversion_rate": "tier_2",
        "cost_per_mql": "tier_2",
        "avg_touchpoints_to_conversion": "tier_3",
        "website_sessions": "tier_3",
        "website_conversion_rate": "tier_2",
        "customer_acquisition_cost": "tier_1",
        "email_open_rate": "tier_2",
        "email_click_rate": "tier_3",
        "lifetime_value_cac_ratio": "tier_1",
    }),
}
TIERS = ("tier_1", "tier_2", "tier_3")
assert all(t in TIERS for _, _, metrics in METRICS.values() for t in metrics.values())


def _name(evaluator_arg) -> str:
    """A macro argument given as 'text' or as a bare identifier, as a Python string."""
    return getattr(evaluator_arg, "name", None) or str(evaluator_arg).strip("'\"")


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@macro()
def metric_tier(evaluator, domain, metric_name):
    """The importance tier of a domain's metric (METRICS); NULL for a metric not catalogued,
    which the not_null audit on importance_tier then rejects."""
    metrics = METRICS[_name(domain)][2]
    whens = " ".join(f"WHEN {_sql_str(m)} THEN {_sql_str(t)}" for m, t in metrics.items())
    return f"(CASE ({metric_name}) {whens} END)"


@macro()
def metric_names(evaluator, domain):
    """ARRAY['metric', ...] of a domain's catalogued metrics, in catalogue order."""
    return "ARRAY[" + ", ".join(_sql_str(m) for m in METRICS[_name(domain)][2]) + "]::TEXT[]"


@macro()
def metric_values(evaluator, domain):
    """ARRAY[column::NUMERIC, ...] of a domain's catalogued metric columns, in catalogue order
    (with @metric_names, the two arguments of a Postgres multi-array UNNEST that unpivots a row)."""
    return "ARRAY[" + ", ".join(f"({m})::NUMERIC" for m in METRICS[_name(domain)][2]) + "]::NUMERIC[]"


@macro()
def pct(evaluator, numerator, denominator):
    """100 × numerator ÷ denominator, NULL when the denominator is 0 or NULL."""
    return f"(100 * ({numerator})::NUMERIC / NULLIF(({denominator})::NUMERIC, 0))"


@macro()
def growth_pct(evaluator, current, prior):
    """Growth over the prior period in percent: (current - prior) ÷ |prior| × 100; NULL when
    either is NULL or the prior is 0."""
    return f"(100 * (({current}) - ({prior}))::NUMERIC / NULLIF(ABS(({prior})::NUMERIC), 0))"


@macro()
def nps(evaluator, score):
    """Net Promoter Score, -100..100, of the NPS responses (0-10) aggregated: % promoters (9-10)
    less % detractors (0-6). An aggregate: use it in a GROUP BY. NULL without responses."""
    return (f"(100 * (COUNT({score}) FILTER (WHERE ({score}) >= {NPS_PROMOTER_MIN}) - "
            f"COUNT({score}) FILTER (WHERE ({score}) <= {NPS_DETRACTOR_MAX}))::NUMERIC "
            f"/ NULLIF(COUNT({score}), 0))")


@macro()
def csat(evaluator, score):
    """CSAT, 0-100, of the CSAT responses (1-5) aggregated: % of responses that are satisfied
    (4 or 5). An aggregate. NULL without responses."""
    return (f"(100 * COUNT({score}) FILTER (WHERE ({score}) >= {CSAT_SATISFIED_MIN})::NUMERIC "
            f"/ NULLIF(COUNT({score}), 0))")


@macro()
def metrics_constant(evaluator, name):
    """One of this module's thresholds as a SQL literal, e.g. @metrics_constant(STALLED_DEAL_DAYS)."""
    value = {"SURVEY_WINDOW_DAYS": SURVEY_WINDOW_DAYS, "STALLED_DEAL_DAYS": STALLED_DEAL_DAYS}[_name(name)]
    return str(value)


def _clamp01(expr: str) -> str:
    return f"LEAST(GREATEST(COALESCE(({expr})::NUMERIC, 0), 0), 1)"


@macro()
def device_health_score(evaluator, uptime_pct_30d, problem_errors_30d):
    """0-100 for one device: DEVICE_HEALTH_WEIGHTS of its 30-day uptime and of its warning,
    error and critical errors in 30 days (DEVICE_ERRORS_SATURATION_30D of them score 0)."""
    w = DEVICE_HEALTH_WEIGHTS
    return (f"ROUND(100 * ({w['uptime']} * {_clamp01(f'({uptime_pct_30d}) / 100')} + {w['errors']} * "
            f"(1 - {_clamp01(f'({problem_errors_30d})::NUMERIC / {DEVICE_ERRORS_SATURATION_30D}')})), 2)")


@macro()
def user_engagement_score(evaluator, active_days_30d, sessions_30d, features_used_30d, features_available):
    """0-100 for one user over the trailing 30 days (USER_ENGAGEMENT_WEIGHTS)."""
    w = USER_ENGAGEMENT_WEIGHTS
    return (f"ROUND(100 * ({w['active_days']} * {_clamp01(f'({active_days_30d})::NUMERIC / 30')} + "
            f"{w['sessions']} * {_clamp01(f'({sessions_30d})::NUMERIC / 30')} + "
            f"{w['feature_breadth']} * {_clamp01(f'({features_used_30d})::NUMERIC / NULLIF({features_available}, 0)')}), 2)")


@macro()
def composite_success_score(evaluator, health_score, engagement_score, adoption_pct):
    """0-100: COMPOSITE_SUCCESS_WEIGHTS of health (0-100), engagement (0-100) and feature
    adoption (0-100); a missing part counts 0."""
    w = COMPOSITE_SUCCESS_WEIGHTS
    return (f"ROUND(100 * ({w['health']} * {_clamp01(f'({health_score}) / 100')} + "
            f"{w['engagement']} * {_clamp01(f'({engagement_score}) / 100')} + "
            f"{w['adoption']} * {_clamp01(f'({adoption_pct}) / 100')}), 2)")


@macro()
def expansion_potential_score(evaluator, status, monthly_active_users, seats, health_score, adoption_pct):
    """0-100 (EXPANSION_WEIGHTS): seat utilisation (MAU ÷ seats), health and adoption; 0 for a
    canceled customer."""
    w = EXPANSION_WEIGHTS
    score = (f"{w['seat_utilisation']} * {_clamp01(f'({monthly_active_users})::NUMERIC / NULLIF({seats}, 0)')} + "
             f"{w['health']} * {_clamp01(f'({health_score}) / 100')} + "
             f"{w['adoption']} * {_clamp01(f'({adoption_pct}) / 100')}")
    return f"(CASE WHEN ({status}) = 'canceled' THEN 0 ELSE ROUND(100 * ({score}), 2) END)"
