"""The platform's roles. Roles belong to the whole Postgres server, not to one database, so
several warehouses on one server share them: creating them is idempotent and serialized
server-wide, and nothing here ever drops one."""
from __future__ import annotations

import psycopg
from psycopg import sql

from include.errors import EltError
from include.governance.policy import READER_ROLES, ROLES

ACCESS_LOG_SETTING = ("log_statement", "all")


def ensure_roles(conn: psycopg.Connection) -> list[str]:
    """Create the missing group roles and switch statement logging on for everyone who reads
    through one; commits. Returns the roles created."""
    _require_superuser(conn)
    with conn.transaction():
        # A lock on the shared pg_authid catalog is server-wide (advisory locks are per database):
        # two databases' governance runs cannot race to create the same role.
        conn.execute("LOCK TABLE pg_catalog.pg_authid IN SHARE ROW EXCLUSIVE MODE")
        existing = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(ROLES),))}
        created = [role for role in ROLES if role not in existing]
        for role in created:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        for login in _needs_access_logging(conn):
            conn.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(
                sql.Identifier(login), sql.Identifier(ACCESS_LOG_SETTING[0]), sql.Literal(ACCESS_LOG_SETTING[1])))
    return created


def _needs_access_logging(conn: psycopg.Connection) -> list[str]:
    """The reader roles and every role that is a member of one (directly or through another
    role), whose role-level settings do not yet log every statement. A setting is per logged-in
    role, not inherited from groups, so it is set on each member."""
    setting = "=".join(ACCESS_LOG_SETTING)
    rows = conn.execute(
        """
        WITH RECURSIVE members(oid) AS (
            SELECT oid FROM pg_roles WHERE rolname = ANY(%(readers)s)
            UNION
            SELECT m.member FROM pg_auth_members m JOIN members ON m.roleid = members.oid
        )
        SELECT r.rolname FROM members JOIN pg_roles r ON r.oid = members.oid
        WHERE NOT r.rolsuper AND NOT EXISTS (
            SELECT 1 FROM pg_db_role_setting s
            WHERE s.setrole = r.oid AND s.setdatabase = 0 AND %(setting)s = ANY(s.setconfig))
        ORDER BY 1
        """, {"readers": list(READER_ROLES), "setting": setting}).fetchall()
    return [name for (name,) in rows]


def _require_superuser(conn: psycopg.Connection) -> None:
    user, is_super = conn.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not is_super:
        raise EltError(f"governance must connect as a superuser (it creates roles and sets their statement "
                       f"logging); the warehouse connection logs in as {user!r}, which is not one")
