"""Entity suites: what the models' MODEL blocks declare (grain, ranges, accepted values) plus these
rules. Required fields are the ones an analyst joins or filters on; every entity that belongs to
a customer must reach entity_customers; a customer's MRR is the sum of its subscriptions'."""
from __future__ import annotations

from include.quality.rules import agrees, refers_to, required

CUSTOMER_MRR_IS_ITS_SUBSCRIPTIONS = """
SELECT c.customer_key, c.monthly_recurring_revenue, COALESCE(s.mrr, 0) AS subscriptions_mrr
FROM {batch} c
LEFT JOIN (SELECT customer_key, SUM(monthly_recurring_revenue) AS mrr
           FROM {entity}.entity_subscriptions GROUP BY customer_key) s USING (customer_key)
WHERE ABS(c.monthly_recurring_revenue - COALESCE(s.mrr, 0)) > 0.005"""

RULES = {
    "entity_customers": [
        *required("account_name", "monthly_recurring_revenue", "customer_health_score", "churn_risk_score",
                  "health_band", "is_deleted"),
        *agrees("monthly_recurring_revenue with entity_subscriptions", CUSTOMER_MRR_IS_ITS_SUBSCRIPTIONS),
    ],
    "entity_customers_daily": [
        *required("plan", "status", "monthly_recurring_revenue"),
        *refers_to("customer_key", "{entity}.entity_customers"),
    ],
    "entity_customers_history": required("change_reason", "is_current"),
    "entity_locations": [
        *required("account_id", "location_name", "timezone", "location_status"),
        *refers_to("account_id", "{entity}.entity_customers", select="location_id, account_id"),
    ],
    "entity_locations_daily": refers_to("location_id", "{entity}.entity_locations"),
    "entity_locations_history": required("change_reason", "is_current"),
    "entity_devices": [
        *required("location_id", "account_id", "serial_number", "device_model", "device_status"),
        *refers_to("location_id", "{entity}.entity_locations", select="device_id, location_id"),
    ],
    "entity_devices_daily": refers_to("device_id", "{entity}.entity_devices"),
    "entity_devices_hourly": refers_to("device_id", "{entity}.entity_devices"),
    "entity_devices_history": required("change_reason", "is_current"),
    "entity_users": [
        *required("account_id", "email", "user_role", "user_status"),
        *refers_to("account_id", "{entity}.entity_customers", select="user_id, account_id"),
    ],
    "entity_users_daily": refers_to("user_id", "{entity}.entity_users"),
    "entity_users_history": required("change_reason", "is_current"),
    "entity_subscriptions": [
        *required("customer_key", "subscription_status", "plan", "currency", "monthly_recurring_revenue"),
        *refers_to("customer_key", "{entity}.entity_customers", select="subscription_id, customer_key"),
    ],
    "entity_subscriptions_daily": refers_to("subscription_id", "{entity}.entity_subscriptions"),
    "entity_subscriptions_history": required("change_reason", "is_current"),
    "entity_features": required("feature_key", "feature_name", "feature_status"),
    "entity_features_daily": refers_to("feature_id", "{entity}.entity_features"),
    "entity_features_history": required("change_reason", "is_current"),
    "entity_campaigns": required("platform", "campaign_id", "campaign_name", "campaign_status"),
    "entity_campaigns_daily": refers_to("campaign_key", "{entity}.entity_campaigns"),
    "entity_campaigns_history": required("change_reason", "is_current"),
}
