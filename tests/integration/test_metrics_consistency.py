"""The metrics layer against a real built warehouse (conftest's built_warehouse: two simulated days,
every source extracted, every layer built by the platform's own plan and run). Then the same
quantity must be the same number everywhere it appears:
  * total MRR: entity_customers, marts.executive_customer_health_kpis (today),
    metrics_customer_success (today's snapshot), metrics_company_overview (today) and
    metrics_unified_domains (current_mrr summed over customers, today);
  * DAU per day: entity_users_daily, marts.product_engagement_daily, metrics_product_analytics,
    metrics_unified_domains (product / daily_active_users) and metrics_company_overview;
  * every catalogued metric of metrics_unified_domains is a column of its domain model and has the
    tier METRICS gives it, and metrics_api carries the same values;
and the four example queries of the metrics layer guide (seed 001) run as written (schema prefix
`metrics.` added) and return rows."""
from __future__ import annotations

import ast
from decimal import Decimal

import pytest

from include.paths import REPO_ROOT, SQLMESH_DIR
from include.warehouse.connect import connect

pytestmark = pytest.mark.slow

def readme_example_queries() -> dict[str, str]:
    """The metrics guide's four example queries (seed 001) exactly as the README gives them to users
    (only `metrics.` added), so the README cannot drift from what runs."""
    readme = (REPO_ROOT / "README.md").read_text()
    block = readme.split("### Using the metrics layer", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    statements = [part.strip() for part in block.split(";") if part.strip()]
    names = ["basic_query", "domain_overview", "time_series", "cross_domain"]
    assert len(statements) == len(names), statements
    return dict(zip(names, statements))


EXAMPLE_QUERIES = readme_example_queries()


def q(url, sql, args=()):
    with connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")  # CURRENT_DATE is the UTC day, as metric_date is
        return conn.execute(sql, args).fetchall()


def load_catalogue() -> dict:
    """METRICS from sqlmesh/macros/metrics_rules.py, the one place the tiers are defined."""
    # Read as a literal, not imported: executing the file would re-register its @macro functions
    # under a foreign module, and SQLMesh Contexts loaded later in this process would serialise those.
    tree = ast.parse((SQLMESH_DIR / "macros" / "metrics_rules.py").read_text())
    (value,) = [node.value for node in tree.body
                if isinstance(node, (ast.Assign, ast.AnnAssign))
                and "METRICS" in [t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]]
    return ast.literal_eval(value)


def test_metrics_agree_with_the_layers_below(built_warehouse):
    wh = built_warehouse.warehouse
    today = "(now() AT TIME ZONE 'UTC')::DATE"

    # -- total MRR -------------------------------------------------------------------------------
    (entity_mrr, customers), = q(wh, "SELECT sum(monthly_recurring_revenue), count(*) FROM entity.entity_customers")
    assert customers > 0 and entity_mrr > 0, "the simulated business bills something"
    (exec_mrr,), = q(wh, f"SELECT total_mrr FROM marts.executive_customer_health_kpis WHERE kpi_date = {today}")
    (cs_mrr, cs_rows), = q(wh, f"SELECT sum(current_mrr), count(*) FROM metrics.metrics_customer_success "
                               f"WHERE metric_date = {today}")
    (overview_mrr,), = q(wh, f"SELECT total_mrr FROM metrics.metrics_company_overview WHERE metric_date = {today}")
    (unified_mrr,), = q(wh, "SELECT sum(metric_value) FROM metrics.metrics_unified_domains WHERE domain = "
                            f"'customer_success' AND metric_name = 'current_mrr' AND metric_date = {today}")
    assert cs_rows == customers, "today's snapshot has every customer"
    assert exec_mrr == entity_mrr, f"executive KPIs MRR {exec_mrr} != entity_customers {entity_mrr}"
    assert cs_mrr == entity_mrr, f"metrics_customer_success MRR {cs_mrr} != {entity_mrr}"
    assert overview_mrr == entity_mrr, f"metrics_company_overview MRR {overview_mrr} != {entity_mrr}"
    assert Decimal(unified_mrr) == entity_mrr, f"unified current_mrr {unified_mrr} != {entity_mrr}"
    (api_mrr,), = q(wh, "SELECT sum(metric_value) FROM metrics.metrics_api WHERE domain = 'customer_success' "
                        f"AND metric_name = 'current_mrr' AND metric_date = {today}")
    assert Decimal(api_mrr) == entity_mrr

    # -- health: the snapshot is entity_customers' --------------------------------------------------
    mismatched = q(wh, f"""SELECT c.customer_key FROM entity.entity_customers AS c
        JOIN metrics.metrics_customer_success AS m ON m.customer_key = c.customer_key AND m.metric_date = {today}
        WHERE m.customer_health_score <> c.customer_health_score OR m.churn_risk_score <> c.churn_risk_score""")
    assert not mismatched

    # -- DAU per day -----------------------------------------------------------------------------
    rows = q(wh, """
        SELECT d.activity_date, d.users, e.dau, p.daily_active_users, u.metric_value, o.daily_active_users
        FROM (SELECT activity_date, count(DISTINCT user_id) AS users FROM entity.entity_users_daily GROUP BY 1) AS d
        LEFT JOIN marts.product_engagement_daily AS e ON e.activity_date = d.activity_date
        LEFT JOIN metrics.metrics_product_analytics AS p ON p.metric_date = d.activity_date
        LEFT JOIN metrics.metrics_unified_domains AS u
          ON u.metric_date = d.activity_date AND u.domain = 'product' AND u.metric_name = 'daily_active_users'
        LEFT JOIN metrics.metrics_company_overview AS o ON o.metric_date = d.activity_date
        ORDER BY 1""")
    assert rows, "the simulated users were active"
    for day, users, mart, product, unified, overview in rows:
        assert users == mart == product == unified == overview, (day, users, mart, product, unified, overview)
    (mau_mart, mau_metrics), = q(wh, f"""SELECT e.mau, p.monthly_active_users FROM marts.product_engagement_daily AS e
        JOIN metrics.metrics_product_analytics AS p ON p.metric_date = e.activity_date WHERE e.activity_date = {today}""")
    assert mau_mart == mau_metrics

    # -- the catalogue: names, tiers, one value per metric --------------------------------------------
    METRICS = load_catalogue()

    for domain, (model, _entity, metrics) in METRICS.items():
        schema, table = model.split(".")
        columns = {c for c, in q(wh, "SELECT column_name FROM information_schema.columns "
                                     "WHERE table_schema = %s AND table_name = %s", (schema, table))}
        assert set(metrics) <= columns, f"{domain}: {set(metrics) - columns} are not columns of {model}"
        tiers = dict(q(wh, "SELECT DISTINCT metric_name, importance_tier FROM metrics.metrics_unified_domains "
                           "WHERE domain = %s", (domain,)))
        assert tiers, f"{domain} publishes no metric"
        assert all(metrics[name] == tier for name, tier in tiers.items()), domain
    # sales reps' pipeline adds up to the CRM's open pipeline today
    (metrics_pipeline,), = q(wh, f"SELECT sum(total_pipeline_value) FROM metrics.metrics_sales WHERE metric_date = {today}")
    (crm_pipeline,), = q(wh, "SELECT COALESCE(sum(amount), 0) FROM crm.fact_deals WHERE deal_status = 'open' "
                             "AND NOT is_deleted")
    assert metrics_pipeline == crm_pipeline
    # ad spend of the day: marketing channels = the campaign grain
    for day, metrics_spend, campaign_spend in q(wh, """
            SELECT m.metric_date, sum(m.total_ad_spend_active),
                   (SELECT COALESCE(sum(spend), 0) FROM entity.entity_campaigns_daily WHERE report_date = m.metric_date)
            FROM metrics.metrics_marketing AS m GROUP BY 1"""):
        assert metrics_spend == campaign_spend, day

    # -- the seed's four example queries ------------------------------------------------------------
    for name, sql in EXAMPLE_QUERIES.items():
        result = q(wh, sql)
        assert result, f"example query {name} returns no rows"
    (healthy_total,), = q(wh, f"SELECT sum(total_mrr) FROM ({EXAMPLE_QUERIES['cross_domain']}) AS x")
    assert Decimal(healthy_total) == entity_mrr, "the cross-domain query's MRR adds up to the total MRR"
