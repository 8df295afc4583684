"""Marts suites: what the models declare plus these rules. Today's executive KPIs and the current
month's revenue carry the same MRR as the customer entity; marts point at real customers and
campaigns."""
from __future__ import annotations

from include.quality.rules import agrees, refers_to, required

ENTITY_MRR = "(SELECT COALESCE(SUM(monthly_recurring_revenue), 0) FROM {entity}.entity_customers)"

KPI_MRR_IS_THE_ENTITYS = f"""
SELECT k.kpi_date, k.total_mrr, {ENTITY_MRR} AS entity_mrr
FROM (SELECT * FROM {{batch}}) k
WHERE k.kpi_date = (SELECT MAX(kpi_date) FROM {{batch}}) AND ABS(k.total_mrr - {ENTITY_MRR}) > 0.005"""

CURRENT_MONTH_MRR_IS_THE_ENTITYS = f"""
SELECT r.month_start, r.ending_mrr, {ENTITY_MRR} AS entity_mrr
FROM (SELECT * FROM {{batch}}) r
WHERE r.is_current_month AND ABS(r.ending_mrr - {ENTITY_MRR}) > 0.005"""

RULES = {
    "executive_customer_health_kpis": [
        *required("total_customers", "active_customers", "total_mrr", "total_arr"),
        *agrees("today's total_mrr with entity.entity_customers", KPI_MRR_IS_THE_ENTITYS),
    ],
    "revenue_monthly": [
        *required("starting_mrr", "ending_mrr", "net_new_mrr"),
        *agrees("the current month's ending_mrr with entity.entity_customers", CURRENT_MONTH_MRR_IS_THE_ENTITYS),
    ],
    "revenue_mrr_movements": [
        *required("movement_type", "starting_mrr", "ending_mrr"),
        *refers_to("customer_key", "{entity}.entity_customers", select="customer_key, month_start"),
    ],
    "marketing_attribution": [
        *required("customer_key", "channel", "touched_at", "converted_at"),
        *refers_to("campaign_key", "{entity}.entity_campaigns", select="account_id, touchpoint_id, campaign_key"),
        *refers_to("customer_key", "{entity}.entity_customers", select="account_id, touchpoint_id, customer_key"),
    ],
    "marketing_campaign_performance": [
        *required("platform", "spend", "impressions", "clicks"),
        *refers_to("campaign_key", "{entity}.entity_campaigns"),
    ],
    "product_engagement_daily": required("dau", "wau", "mau", "sessions"),
    "product_feature_funnel": [
        *required("feature_key", "active_users_30d", "tried_users"),
        *refers_to("feature_id", "{entity}.entity_features"),
    ],
    "product_retention": required("cohort_users", "activated_users"),
}
