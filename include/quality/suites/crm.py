"""CRM star suites: what the models declare plus these rules. Every fact reaches its dimensions,
the star reaches the customer entity through customer_key, and an account's MRR is the entity's."""
from __future__ import annotations

from include.quality.rules import agrees, refers_to, required

ACCOUNT_MRR_IS_THE_CUSTOMERS = """
SELECT a.company_id, a.customer_key, a.monthly_recurring_revenue, c.monthly_recurring_revenue AS entity_mrr
FROM {batch} a JOIN {entity}.entity_customers c USING (customer_key)
WHERE a.monthly_recurring_revenue IS DISTINCT FROM c.monthly_recurring_revenue"""

RULES = {
    "dim_accounts": [
        *required("customer_key", "company_name", "account_category", "monthly_recurring_revenue"),
        *refers_to("customer_key", "{entity}.entity_customers", select="company_id, customer_key"),
        *agrees("monthly_recurring_revenue with entity.entity_customers", ACCOUNT_MRR_IS_THE_CUSTOMERS),
    ],
    "dim_contacts": [
        *required("email", "seniority", "contact_status"),
        *refers_to("company_id", "{crm}.dim_accounts", select="contact_id, company_id"),
    ],
    "dim_products": required("product_name", "price_tier", "inventory_status", "unit_price"),
    "fact_deals": [
        *required("deal_stage", "deal_status", "amount", "created_at"),
        *refers_to("company_id", "{crm}.dim_accounts", select="deal_id, company_id"),
    ],
    "fact_deal_stage_history": refers_to("deal_id", "{crm}.fact_deals"),
    "fact_activities": [
        *required("activity_type", "activity_status", "occurred_at"),
        *refers_to("contact_id", "{crm}.dim_contacts", select="activity_type, activity_id, contact_id"),
        *refers_to("company_id", "{crm}.dim_accounts", select="activity_type, activity_id, company_id"),
    ],
    "fact_tickets": [
        *required("priority", "sla_status", "created_at"),
        *refers_to("company_id", "{crm}.dim_accounts", select="ticket_id, company_id"),
    ],
    "fact_orders": [
        *required("order_status", "quantity", "revenue_amount", "ordered_at"),
        *refers_to("deal_id", "{crm}.fact_deals", select="line_item_id, deal_id"),
        *refers_to("product_id", "{crm}.dim_products", select="line_item_id, product_id"),
    ],
    "fact_pipeline_daily": required("open_deals", "pipeline_amount"),
    "sales_quotas": required("quota_amount"),
}
