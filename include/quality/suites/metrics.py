"""Metrics suites: what the models declare plus these rules. The company overview carries the
executive KPIs' MRR for the same day, and the customer-success metrics of the latest day carry
each customer's entity MRR."""
from __future__ import annotations

from include.quality.rules import agrees, refers_to, required

OVERVIEW_MRR_IS_THE_KPIS = """
SELECT o.metric_date, o.total_mrr, k.total_mrr AS kpi_total_mrr
FROM {batch} o JOIN {marts}.executive_customer_health_kpis k ON k.kpi_date = o.metric_date
WHERE o.total_mrr IS DISTINCT FROM k.total_mrr"""

CUSTOMER_MRR_IS_THE_ENTITYS = """
SELECT m.metric_date, m.customer_key, m.current_mrr, c.monthly_recurring_revenue AS entity_mrr
FROM {batch} m JOIN {entity}.entity_customers c USING (customer_key)
WHERE m.metric_date = (SELECT MAX(metric_date) FROM {batch} latest)
  AND m.current_mrr IS DISTINCT FROM c.monthly_recurring_revenue"""

RULES = {
    "metrics_company_overview": [
        *required("total_customers", "active_customers", "total_mrr", "total_arr", "daily_active_users"),
        *agrees("total_mrr with marts.executive_customer_health_kpis", OVERVIEW_MRR_IS_THE_KPIS),
    ],
    "metrics_customer_success": [
        *required("customer_name", "health_band", "current_mrr", "customer_health_score", "churn_risk_score"),
        *refers_to("customer_key", "{entity}.entity_customers", select="metric_date, customer_key"),
        *agrees("current_mrr with entity.entity_customers", CUSTOMER_MRR_IS_THE_ENTITYS),
    ],
    "metrics_sales": required("owner_name", "total_pipeline_value", "open_opportunities"),
    "metrics_marketing": required("channel_type", "total_ad_spend_active", "impressions"),
    "metrics_product_analytics": required("daily_active_users", "weekly_active_users", "monthly_active_users"),
    "metrics_unified_domains": required("entity_name", "importance_tier", "metric_value"),
    "metrics_api": required("entity_name", "importance_tier", "metric_value"),
}
