"""The grants of one warehouse database, made to match the policy exactly: every privilege the
platform's roles hold on its schemas and tables is revoked and granted again from
include/governance/policy.py, in one transaction, so a grant made by hand or left from an older
policy does not survive a run, and readers never see a moment without their grants."""
from __future__ import annotations

import psycopg
from psycopg import sql

from include.governance.policy import (LOADER, META_SCHEMA, OPERATIONS, PII_COLUMNS, PII_READER, READER_ROLES,
                                       ROLES, SERVING_SCHEMAS, TRANSFORMER, TRANSFORMER_LAYERS,
                                       TRANSFORMER_OWNED_PREFIXES, masked_name, readable_tables)


def grant_statements(database: str, schemas: list[str], relations: set[str]) -> list[sql.Composed]:
    """Every privilege of the platform's roles revoked, then the policy's granted."""
    roles = sql.SQL(", ").join(map(sql.Identifier, ROLES))
    statements = [sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(database), roles)]
    for schema in schemas:
        s = sql.Identifier(schema)
        statements += [sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(s, roles),
                       sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, roles),
                       sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(s, roles)]
    return statements + planned_grants(database, schemas, relations)


def planned_grants(database: str, schemas: list[str], relations: set[str]) -> list[sql.Composed]:
    """The GRANT statements the policy asks for, given what exists in the database."""
    grants: list[sql.Composed] = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.SQL(", ").join(map(sql.Identifier, ROLES))),
        # New layers and SQLMesh's per-layer physical schemas are the transformer's to create.
        sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(TRANSFORMER)),
    ]
    for schema in schemas:
        if schema.startswith("raw_"):
            # Raw is append-only: the loader adds rows and tables, never changes or deletes one.
            grants += _on_schema(schema, LOADER, "USAGE, CREATE", "SELECT, INSERT")
            grants += _on_schema(schema, TRANSFORMER, "USAGE", "SELECT")
        elif schema in TRANSFORMER_LAYERS or schema.startswith(TRANSFORMER_OWNED_PREFIXES):
            grants += _on_schema(schema, TRANSFORMER, "USAGE, CREATE", "ALL", sequences="ALL")
        elif schema == META_SCHEMA:
            # The batch ledger and watermarks commit with each load; operations watch them.
            grants += _on_schema(schema, LOADER, "USAGE", "SELECT, INSERT, UPDATE")
            grants += _on_schema(schema, OPERATIONS, "USAGE", "SELECT")
    serving = {r for r in relations if r.split(".")[0] in SERVING_SCHEMAS}
    for role in READER_ROLES:
        for table in sorted(readable_tables(role, serving)):
            target = table if role == PII_READER or table not in PII_COLUMNS else masked_name(table)
            if target not in relations:
                continue
            schema, name = target.split(".")
            grants.append(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(role)))
            grants.append(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(schema, name), sql.Identifier(role)))
    return grants


def _on_schema(schema: str, role: str, on_schema: str, on_tables: str, sequences: str | None = None) -> list[sql.Composed]:
    s, r = sql.Identifier(schema), sql.Identifier(role)
    grants = [sql.SQL("GRANT {} ON SCHEMA {} TO {}").format(sql.SQL(on_schema), s, r),
              sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(sql.SQL(on_tables), s, r)]
    if sequences:
        grants.append(sql.SQL("GRANT {} ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sql.SQL(sequences), s, r))
    return grants
