"""Keeping grants and masked views through SQLMesh plans. A plan that promotes a new model version
drops and recreates the model's view, and with it the view's grants and the masked view over it.
Each governance run stores the statements it ran in `governance.replay` together with a
function, `governance.reapply()`, that runs them again; sqlmesh/config.yaml's `after_all` calls it
at the end of every plan and run, so a plan leaves the warehouse governed as it found it."""
from __future__ import annotations

import psycopg
from psycopg import sql

SCHEMA = "governance"

# All or nothing: a statement that no longer fits (a masked column the model dropped) rolls the
# whole replay back with a warning instead of failing the plan; the governance DAG, scheduled
# after the transform, then rebuilds from the new catalog.
_REAPPLY = """
CREATE OR REPLACE FUNCTION governance.reapply() RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    done integer := 0;
    statement text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('elt_governance'));
    BEGIN
        FOR statement IN SELECT r.statement FROM governance.replay AS r ORDER BY r.position LOOP
            EXECUTE statement;
            done := done + 1;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'governance.reapply() rolled back at statement %: %; the governance DAG will rebuild',
            done + 1, SQLERRM;
        RETURN 0;
    END;
    RETURN done;
END
$fn$
"""


def store_replay(conn: psycopg.Connection, statements: list[sql.Composable]) -> None:
    """Replace the stored statements with these (in the caller's transaction)."""
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
    conn.execute("CREATE TABLE IF NOT EXISTS governance.replay (position integer PRIMARY KEY, statement text NOT NULL)")
    conn.execute("TRUNCATE governance.replay")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO governance.replay (position, statement) VALUES (%s, %s)",
                        [(i, s.as_string(conn)) for i, s in enumerate(statements)])
    conn.execute(_REAPPLY)
