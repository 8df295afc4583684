"""Masked views: for every serving table with classified personal data, a view of the same name
in `<schema>_masked` with the same columns, the PII ones masked (policy.MASKS). Everyone who may
read the table but is not the PII reader reads the view instead.

SQLMesh replaces a model's view with DROP ... CASCADE when a plan promotes a new version, which
drops the masked view over it too: SQLMesh's after_all replays these statements at the end of the
plan (include/governance/replay.py), and readers meanwhile get "relation does not exist", never
unmasked data."""
from __future__ import annotations

import psycopg
from psycopg import sql

from include.errors import EltError
from include.governance import catalog
from include.governance.policy import MASKED_SUFFIX, MASKS, PII_COLUMNS, SERVING_SCHEMAS, masked_name


def masked_view_statements(conn: psycopg.Connection, existing: set[str]) -> tuple[list[sql.Composed], list[str]]:
    """The statements that drop and recreate every `<schema>_masked` schema, and the masked views
    they make (`schema.table`). Classified tables not built yet are skipped."""
    statements = [sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema + MASKED_SUFFIX))
                  for schema in SERVING_SCHEMAS]
    made = []
    for table, pii in sorted(PII_COLUMNS.items()):
        if table not in existing:
            continue
        target = masked_name(table)
        statements += [
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(target.split(".")[0])),
            sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
                _ident(target), sql.SQL(", ").join(_select_list(conn, table, pii)), _ident(table)),
            sql.SQL("COMMENT ON VIEW {} IS {}").format(_ident(target), sql.Literal(
                f"{table} with its personal data masked ({', '.join(sorted(pii))}); made by the governance DAG")),
        ]
        made.append(target)
    return statements, made


def _select_list(conn: psycopg.Connection, table: str, pii: dict[str, str]) -> list[sql.Composable]:
    cols = catalog.columns(conn, table)
    if missing := sorted(set(pii) - set(cols)):
        raise EltError(f"include/governance/policy.py PII_COLUMNS classifies {table}.{missing[0]}, but {table} has "
                       f"no such column; fix the classification")
    items = []
    for col in cols:
        if col in pii:
            mask = MASKS[pii[col]].format(col=sql.Identifier(col).as_string(conn))
            items.append(sql.SQL("({})::text AS {}").format(sql.SQL(mask), sql.Identifier(col)))
        else:
            items.append(sql.Identifier(col))
    return items


def _ident(relation: str) -> sql.Identifier:
    return sql.Identifier(*relation.split("."))
