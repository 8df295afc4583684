"""One governance run on a warehouse: roles, masked views, grants. Safe to repeat, and safe while
the transform or other warehouses on the same server run."""
from __future__ import annotations

from include.governance import catalog
from include.governance.grants import grant_statements
from include.governance.masking import masked_view_statements
from include.governance.replay import SCHEMA as REPLAY_SCHEMA
from include.governance.replay import store_replay
from include.governance.roles import ensure_roles
from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl


def apply_governance(url: PgUrl) -> dict:
    """Bring the warehouse's roles, masked views and grants in line with the policy."""
    with connect(url, autocommit=True) as conn:
        created = ensure_roles(conn)
        # Masked views and grants change together, so no reader ever sees a view without its grant.
        with conn.transaction():
            # One run per database at a time (advisory locks are per database): concurrent GRANTs
            # on one object fail with "tuple concurrently updated".
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('elt_governance'))")
            relations = catalog.relations(conn)
            masking, masked = masked_view_statements(conn, relations)
            schemas = sorted(set(catalog.schemas(conn)) | {m.split(".")[0] for m in masked} | {REPLAY_SCHEMA})
            statements = masking + grant_statements(url.database, schemas, relations | set(masked))
            store_replay(conn, statements)
            for statement in statements:
                conn.execute(statement)
    return {"database": url.database, "roles_created": created, "masked_views": masked, "statements": len(statements)}
