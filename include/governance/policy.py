"""Who may read and write what, and which columns are personal data: the one place the access
policy is written down. The governance DAG turns it into Postgres roles and grants
(include/governance/apply.py); include/governance/README.md explains the choices."""
from __future__ import annotations

from functools import lru_cache

import yaml

from include.paths import SQLMESH_DIR

# Group roles (NOLOGIN). People and services log in as their own roles, made members of these.
EXECUTIVE = "executive"
OPERATIONS = "operations"
PII_READER = "pii_reader"
LOADER = "loader"
TRANSFORMER = "transformer"
DOMAINS = ("customer_success", "sales", "product", "marketing", "finance")
ANALYSTS = {domain: f"analyst_{domain}" for domain in DOMAINS}

# People's roles: their sessions are access-logged statement by statement.
READER_ROLES = (EXECUTIVE, *ANALYSTS.values(), OPERATIONS, PII_READER)
SERVICE_ROLES = (LOADER, TRANSFORMER)
ROLES = READER_ROLES + SERVICE_ROLES

# The layers people read; raw, staging and intermediate are for the pipeline only.
SERVING_SCHEMAS = ("entity", "crm", "marts", "metrics")
# SQLMesh's own schemas besides the layers: physical tables (sqlmesh__<layer>) and its state.
TRANSFORMER_OWNED_PREFIXES = ("sqlmesh__",)
TRANSFORMER_LAYERS = ("staging", "intermediate", *SERVING_SCHEMAS, "sqlmesh_state")
META_SCHEMA = "elt_meta"
MASKED_SUFFIX = "_masked"

# Personal data in the serving layers: schema.table -> {column: kind}. Raw and staging hold more
# (the sources' payloads) but only the loader and the transformer can read them. Employees' names
# (sales reps as deal owners) are business data the per-rep dashboards need, not classified here.
PII_COLUMNS: dict[str, dict[str, str]] = {
    "entity.entity_users": {"email": "email", "full_name": "name"},
    "crm.dim_contacts": {"email": "email", "full_name": "name"},
}

# How each kind of personal data reads for everyone but the PII reader. NULL stays NULL so that
# completeness can still be counted; an email keeps its domain (company vs. webmail).
MASKS = {
    "email": "CASE WHEN {col} IS NULL THEN NULL ELSE '***@' || split_part({col}, '@', 2) END",
    "name": "CASE WHEN {col} IS NULL THEN NULL ELSE '***' END",
    "phone": "CASE WHEN {col} IS NULL THEN NULL ELSE '***' END",
    "address": "CASE WHEN {col} IS NULL THEN NULL ELSE '***' END",
}

# Dashboard owners in sqlmesh/exposures.yaml -> the role whose members read those dashboards.
TEAM_ROLES = {
    "executive": EXECUTIVE,
    "customer_success": ANALYSTS["customer_success"],
    "sales_analytics": ANALYSTS["sales"],
    "product_analytics": ANALYSTS["product"],
    "marketing_analytics": ANALYSTS["marketing"],
    "finance": ANALYSTS["finance"],
}


@lru_cache(maxsize=1)
def exposure_reads() -> dict[str, frozenset[str]]:
    """Role -> the `schema.table`s its team's dashboards read (sqlmesh/exposures.yaml): an analyst
    reads exactly what its domain's dashboards are built on."""
    from include.errors import EltError

    path = SQLMESH_DIR / "exposures.yaml"
    reads: dict[str, set[str]] = {}
    for exposure in yaml.safe_load(path.read_text())["exposures"]:
        team = exposure["owner"]["team"]
        if team not in TEAM_ROLES:
            raise EltError(f"{path}: exposure {exposure['name']!r} is owned by team {team!r}, which has no "
                           f"role in include/governance/policy.py TEAM_ROLES")
        reads.setdefault(TEAM_ROLES[team], set()).update(exposure["depends_on"])
    return {role: frozenset(tables) for role, tables in reads.items()}


def readable_tables(role: str, serving_tables: set[str]) -> set[str]:
    """The serving tables (`schema.table`) a reader role may SELECT, before masking: the
    executive reads every mart and metric, the PII reader every serving table, analysts what their
    dashboards read. Other roles read no serving table."""
    if role == PII_READER:
        return set(serving_tables)
    tables = set(exposure_reads().get(role, ()))
    if role == EXECUTIVE:
        tables |= {t for t in serving_tables if t.split(".")[0] in ("marts", "metrics")}
    return tables & serving_tables


def masked_name(table: str) -> str:
    schema, name = table.split(".")
    return f"{schema}{MASKED_SUFFIX}.{name}"
