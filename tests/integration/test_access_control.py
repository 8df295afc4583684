"""Access control on a real, fully built warehouse: the governance run creates the roles and
grants, then each test logs in as a member of each role and finds out what it can read and write,
whether personal data comes back masked, that the access log records its queries, and that the
grants come back after a plan replaces a model's view. Works on a private copy of the built
warehouse, because governance changes grants and schemas."""
from __future__ import annotations

import re
import threading
import uuid
from dataclasses import replace

import psycopg
import pytest

from include.governance.access_log import log_size, read_log, server_log_path
from include.governance.apply import apply_governance
from include.governance.policy import PII_COLUMNS, ROLES
from include.warehouse.connect import connect
from include.warehouse.settings import resolve

# What a member of each role can read: hand-picked from the policy in
# include/governance/README.md, not computed from it, so a policy change that grants too much or
# too little fails here.
CAN_READ = {
    "executive": ["marts.revenue_monthly", "marts.product_engagement_daily", "metrics.metrics_company_overview",
                  "metrics.metrics_sales", "metrics.metrics_unified_domains"],
    "analyst_finance": ["marts.revenue_monthly", "marts.revenue_mrr_movements", "crm.fact_orders",
                        "entity.entity_subscriptions"],
    "analyst_sales": ["crm.fact_deals", "crm.fact_pipeline_daily", "crm.sales_quotas", "metrics.metrics_sales",
                      "crm_masked.dim_contacts"],
    "analyst_customer_success": ["metrics.metrics_customer_success", "entity.entity_customers", "crm.fact_tickets",
                                 "entity_masked.entity_users", "crm_masked.dim_contacts"],
    "analyst_product": ["marts.product_engagement_daily", "marts.product_retention",
                        "metrics.metrics_product_analytics", "entity.entity_features_daily"],
    "analyst_marketing": ["marts.marketing_attribution", "marts.marketing_campaign_performance",
                          "metrics.metrics_marketing", "entity.entity_campaigns_daily"],
    "operations": ["elt_meta.batches", "elt_meta.watermarks"],
    "pii_reader": ["entity.entity_users", "crm.dim_contacts", "marts.revenue_monthly", "metrics.metrics_sales"],
    "loader": ["raw_app.accounts", "raw_stripe.customers", "elt_meta.watermarks"],
    "transformer": ["raw_app.accounts", "raw_hubspot.contacts", "staging.stg_app__accounts", "entity.entity_users"],
}
CANNOT_READ = {
    "executive": ["entity.entity_users", "crm.dim_contacts", "crm.fact_deals", "raw_app.accounts",
                  "staging.stg_app__accounts", "elt_meta.batches"],
    "analyst_finance": ["metrics.metrics_marketing", "marts.marketing_attribution", "metrics.metrics_sales",
                        "raw_stripe.customers", "staging.stg_stripe__customers"],
    "analyst_sales": ["crm.dim_contacts", "marts.revenue_monthly", "metrics.metrics_customer_success",
                      "entity_masked.entity_users", "raw_hubspot.contacts"],
    "analyst_customer_success": ["entity.entity_users", "crm.dim_contacts", "metrics.metrics_sales",
                                 "marts.revenue_monthly", "intermediate.int_customers__core"],
    "analyst_product": ["metrics.metrics_marketing", "crm.fact_deals", "entity.entity_users", "raw_app.users"],
    "analyst_marketing": ["metrics.metrics_sales", "marts.revenue_monthly", "crm_masked.dim_contacts",
                          "raw_google_ads.campaigns"],
    "operations": ["marts.revenue_monthly", "entity_masked.entity_users", "raw_app.accounts"],
    "pii_reader": ["raw_app.users", "staging.stg_app__users", "elt_meta.batches"],
    "loader": ["marts.revenue_monthly", "staging.stg_app__accounts", "entity.entity_users"],
    "transformer": ["elt_meta.batches"],
}


def _governed(wh, pg_server):
    """Govern `wh` and add, per role, a new login member of it (trust auth on the servers under test;
    people log in as their own roles, members of a group). Yields the run's summary and a URL per role."""
    tag = uuid.uuid4().hex[:8]
    logins = {role: f"t4_{tag}_{role}" for role in ROLES}
    apply_governance(wh)  # the roles exist before members are added to them
    with connect(pg_server, autocommit=True) as conn:
        for role, login in logins.items():
            conn.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE "{role}"')
    try:
        summary = apply_governance(wh)  # a second run: idempotent, and it switches on the new members' logging
        yield wh, summary, {role: replace(wh, user=login) for role, login in logins.items()}
    finally:
        with connect(pg_server, autocommit=True) as conn:
            for login in logins.values():
                conn.execute(f'DROP ROLE IF EXISTS "{login}"')


@pytest.fixture(scope="module")
def governed_readonly(built_warehouse, pg_server):
    """One governed copy for the tests that only read (or roll back): copied like conftest's
    warehouse_copy, but once for the module."""
    copy = pg_server.with_database(f"elt_ro_{uuid.uuid4().hex[:8]}")
    with connect(pg_server, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                     (built_warehouse.warehouse.database,))
        conn.execute(f'CREATE DATABASE "{copy.database}" TEMPLATE "{built_warehouse.warehouse.database}"')
    try:
        yield from _governed(copy, pg_server)
    finally:
        with connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)')


@pytest.fixture
def governed(warehouse_copy, pg_server):
    """A governed copy of its own, for a test that changes grants or views."""
    yield from _governed(warehouse_copy(), pg_server)


def _can(url, statement: str) -> bool:
    with connect(url) as conn:
        try:
            conn.execute(statement)
            return True
        except psycopg.errors.InsufficientPrivilege:
            return False
        finally:
            conn.rollback()


def test_each_role_reads_what_its_job_needs_and_nothing_else(governed_readonly):
    _, summary, login = governed_readonly
    assert summary["roles_created"] == [], "the second run creates nothing"
    wrong = []
    for role in ROLES:
        for table in CAN_READ[role]:
            if not _can(login[role], f"SELECT count(*) FROM {table}"):
                wrong.append(f"{role} cannot read {table}")
        for table in CANNOT_READ[role]:
            if _can(login[role], f"SELECT count(*) FROM {table}"):
                wrong.append(f"{role} can read {table}")
    assert wrong == []


def test_physical_tables_are_out_of_reach_of_readers(governed_readonly):
    wh, _, login = governed_readonly
    with connect(wh) as conn:
        (physical,) = conn.execute("""SELECT schemaname || '.' || tablename FROM pg_tables
                                      WHERE schemaname = 'sqlmesh__marts' LIMIT 1""").fetchone()
    assert _can(login["transformer"], f"SELECT count(*) FROM {physical}")
    for role in ("executive", "pii_reader", "analyst_finance"):
        assert not _can(login[role], f"SELECT count(*) FROM {physical}"), f"{role} reads around the virtual layer"


def test_raw_is_append_only_for_the_loader_and_read_only_for_everyone_else(governed_readonly):
    _, _, login = governed_readonly
    loader, transformer = login["loader"], login["transformer"]
    assert _can(loader, "INSERT INTO raw_app.accounts SELECT * FROM raw_app.accounts LIMIT 0")
    assert _can(loader, "UPDATE elt_meta.watermarks SET cursor_value = cursor_value WHERE false")
    assert not _can(loader, "UPDATE raw_app.accounts SET _batch_id = _batch_id WHERE false")
    assert not _can(loader, "DELETE FROM raw_app.accounts WHERE false")
    assert not _can(loader, "TRUNCATE raw_app.accounts")
    assert not _can(transformer, "INSERT INTO raw_app.accounts SELECT * FROM raw_app.accounts LIMIT 0")
    assert _can(transformer, "CREATE TABLE staging.t4_scratch (x int)")
    for role in ("executive", "analyst_finance", "pii_reader", "operations"):
        assert not _can(login[role], "DELETE FROM marts.revenue_monthly WHERE false"), role
        assert not _can(login[role], "CREATE TABLE marts.t4_scratch (x int)"), role


def test_personal_data_is_masked_for_everyone_but_the_pii_reader(governed_readonly):
    wh, summary, login = governed_readonly
    assert sorted(summary["masked_views"]) == ["crm_masked.dim_contacts", "entity_masked.entity_users"]
    with connect(login["pii_reader"]) as conn:
        real = dict(conn.execute("SELECT user_id, email FROM entity.entity_users WHERE email IS NOT NULL").fetchall())
        real_names = {r for (r,) in conn.execute("SELECT full_name FROM crm.dim_contacts WHERE full_name IS NOT NULL")}
    assert real and all("@" in e and not e.startswith("***") for e in real.values())
    with connect(login["analyst_customer_success"]) as conn:
        masked = dict(conn.execute("SELECT user_id, email FROM entity_masked.entity_users WHERE email IS NOT NULL").fetchall())
        names = {r for (r,) in conn.execute("SELECT full_name FROM crm_masked.dim_contacts WHERE full_name IS NOT NULL")}
        cols = [c.name for c in conn.execute("SELECT * FROM entity_masked.entity_users LIMIT 0").description]
    with connect(wh) as conn:
        real_cols = [c.name for c in conn.execute("SELECT * FROM entity.entity_users LIMIT 0").description]
    assert cols == real_cols, "the masked view has the table's columns, in order"
    assert masked.keys() == real.keys(), "every row is there, only the values are masked"
    assert all(masked[u] == "***@" + real[u].split("@")[1] for u in real), "an email keeps only its domain"
    assert real_names and names == {"***"}


def test_access_is_logged_with_the_role_that_read(governed_readonly):
    wh, _, login = governed_readonly
    marker = f"t4-audit-{uuid.uuid4().hex}"
    with connect(wh, autocommit=True) as admin:
        path = server_log_path(admin, _embedded_log())
        start = log_size(admin, path)
        with connect(login["analyst_finance"]) as conn:
            conn.execute(f"SELECT count(*) /* {marker} */ FROM marts.revenue_monthly")
        log = read_log(admin, path, start)
    lines = [line for line in log.splitlines() if marker in line]
    user = login["analyst_finance"].user
    assert any(re.search(rf"{user}@{wh.database} .*statement: SELECT count\(\*\)", line) for line in lines), \
        f"the query of {user} is in {path}: {lines}"


def test_grants_and_masking_come_back_after_a_plan_replaces_a_view(governed):
    wh, _, login = governed
    sales, pii_reader = login["analyst_sales"], login["pii_reader"]
    # What SQLMesh's Postgres adapter does when a plan promotes a new version of a model
    # (sqlmesh/core/engine_adapter/base_postgres.py create_view): DROP VIEW ... CASCADE, CREATE VIEW;
    # this new version has one more column.
    with connect(wh, autocommit=True) as conn:
        definition = conn.execute("SELECT pg_get_viewdef('crm.dim_contacts'::regclass)").fetchone()[0].rstrip(" ;")
        with conn.transaction():
            conn.execute("DROP VIEW crm.dim_contacts CASCADE")
            conn.execute(f"CREATE VIEW crm.dim_contacts AS SELECT *, 1 AS t4_new_column FROM ({definition}) AS v")
    assert not _can(pii_reader, "SELECT count(*) FROM crm.dim_contacts"), "a replaced view has lost its grants"
    with pytest.raises(psycopg.errors.UndefinedTable), connect(sales) as conn:
        conn.execute("SELECT count(*) FROM crm_masked.dim_contacts")

    # The end of the plan: SQLMesh runs sqlmesh/config.yaml's after_all statements.
    with connect(wh, autocommit=True) as conn:
        for statement in _after_all_statements():
            conn.execute(statement)
    assert _can(pii_reader, "SELECT count(*) FROM crm.dim_contacts")
    with connect(sales) as conn:
        names = {r for (r,) in conn.execute("SELECT full_name FROM crm_masked.dim_contacts WHERE full_name IS NOT NULL")}
        cols = [c.name for c in conn.execute("SELECT * FROM crm_masked.dim_contacts LIMIT 0").description]
    assert names == {"***"}
    assert "t4_new_column" not in cols, "the replay masks the columns governance knew"

    apply_governance(wh)  # the governance DAG, after the transform: the new column is in
    with connect(sales) as conn:
        cols = [c.name for c in conn.execute("SELECT * FROM crm_masked.dim_contacts LIMIT 0").description]
    assert cols[-1] == "t4_new_column"


def _after_all_statements() -> list[str]:
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_config_from_paths

    from include.paths import SQLMESH_DIR

    statements = load_config_from_paths(Config, project_paths=[SQLMESH_DIR / "config.yaml"]).after_all
    assert statements, "sqlmesh/config.yaml has after_all statements"
    return statements


def test_the_replay_is_harmless_where_governance_never_ran(fresh_db):
    with connect(fresh_db("plain"), autocommit=True) as conn:
        for statement in _after_all_statements():
            assert conn.execute(statement).fetchall() == []


def test_a_grant_made_by_hand_does_not_survive_a_run(governed):
    wh, _, login = governed
    marketing = login["analyst_marketing"]
    with connect(wh, autocommit=True) as conn:  # marketing reads marts (its marketing_* marts), not revenue
        conn.execute("GRANT SELECT ON marts.revenue_monthly TO analyst_marketing")
        conn.execute("GRANT USAGE ON SCHEMA crm TO analyst_marketing")
        conn.execute("GRANT SELECT ON crm.dim_contacts TO analyst_marketing")
    assert _can(marketing, "SELECT count(*) FROM marts.revenue_monthly")
    assert _can(marketing, "SELECT count(*) FROM crm.dim_contacts")
    apply_governance(wh)
    assert not _can(marketing, "SELECT count(*) FROM marts.revenue_monthly")
    assert not _can(marketing, "SELECT count(*) FROM crm.dim_contacts")
    assert _can(marketing, "SELECT count(*) FROM marts.marketing_attribution")


def test_warehouses_on_one_server_are_governed_at_the_same_time(governed_readonly, warehouse_copy, pg_server):
    first, _, _ = governed_readonly
    second = warehouse_copy()
    # New members: every run sets their logging at once, on the server-wide role catalog.
    newcomers = [f"t4_{uuid.uuid4().hex[:8]}_new" for _ in range(4)]
    with connect(pg_server, autocommit=True) as conn:
        for login in newcomers:
            conn.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE analyst_sales')
    errors = []

    def run(url):
        try:
            apply_governance(url)
        except Exception as exc:  # collected: the assertion below names it
            errors.append(f"{url.database}: {exc}")

    threads = [threading.Thread(target=run, args=(url,)) for url in (first, second, first.with_database(second.database))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with connect(pg_server, autocommit=True) as conn:
        logged = {r for (r,) in conn.execute("""SELECT r.rolname FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                                                 WHERE 'log_statement=all' = ANY(s.setconfig)""")}
        for login in newcomers:
            conn.execute(f'DROP ROLE "{login}"')
    assert errors == []
    assert set(newcomers) <= logged


def test_a_classified_column_that_does_not_exist_is_a_one_line_error(governed_readonly, monkeypatch):
    from include.errors import EltError
    from include.governance import masking

    wh, _, login = governed_readonly
    monkeypatch.setitem(masking.PII_COLUMNS, "crm.dim_contacts", {"email": "email", "phone_number": "phone"})
    with pytest.raises(EltError, match=r"classifies crm\.dim_contacts\.phone_number, but crm\.dim_contacts has no such column"):
        apply_governance(wh)
    assert _can(login["analyst_sales"], "SELECT count(*) FROM crm_masked.dim_contacts"), "the failed run changed nothing"


def test_every_personal_data_column_of_the_serving_layers_is_classified(built_warehouse):
    """A new model column named like personal data must be classified (and so masked) before it ships."""
    with connect(built_warehouse.warehouse) as conn:
        named_like_pii = {f"{s}.{t}.{c}" for s, t, c in conn.execute(r"""
            SELECT table_schema, table_name, column_name FROM information_schema.columns
            WHERE table_schema IN ('entity', 'crm', 'marts', 'metrics')
              AND column_name ~ '(^|_)(email|full_name|first_name|last_name|phone|mobile|street|address|postal_code|zip|ip_address)$'
        """)}
    classified = {f"{table}.{col}" for table, cols in PII_COLUMNS.items() for col in cols}
    assert named_like_pii, "the serving layers do hold personal data"
    assert named_like_pii <= classified, f"unclassified: {sorted(named_like_pii - classified)}"


def _embedded_log() -> str | None:
    if not resolve().embedded:
        return None
    from include.warehouse import embedded

    return str(embedded.default().log)
