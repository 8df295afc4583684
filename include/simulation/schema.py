"""The app database's DDL (schema `public`) and the simulator's hidden state (schema `sim`).

A history build creates the tables with their CHECKs (and the entity keys its upserts need), loads
everything, then adds the event keys, foreign keys and secondary indexes: one validation pass and
one sorted index build instead of a trigger and a random index insert per row. Later clock
advances write into the finished schema, parents before children, so every constraint holds.
"""
from __future__ import annotations

import psycopg

ENTITY_TABLES = ("accounts", "locations", "devices", "users", "features")      # parents first
EVENT_TABLES = ("tap_events", "device_heartbeats", "device_errors", "sessions", "page_views", "feature_usage")
APP_TABLES = ENTITY_TABLES + EVENT_TABLES

# Column order of the COPY lines that world.py and the generators build.
COLUMNS = {
    "accounts": ("id", "name", "domain", "industry", "company_size", "country", "timezone", "plan",
                 "billing_interval", "seats", "status", "signup_channel", "utm_source", "utm_medium",
                 "utm_campaign", "trial_ends_at", "status_changed_at", "canceled_at", "last_active_at",
                 "created_at", "updated_at", "deleted_at"),
    "locations": ("id", "account_id", "name", "city", "country", "timezone", "status",
                  "created_at", "updated_at", "deleted_at"),
    "devices": ("id", "location_id", "serial_number", "model", "firmware_version", "status", "installed_at",
                "created_at", "updated_at", "deleted_at"),
    "users": ("id", "account_id", "email", "full_name", "role", "status", "last_login_at",
              "created_at", "updated_at", "deleted_at"),
    "features": ("id", "key", "name", "category", "status", "released_at", "created_at", "updated_at", "deleted_at"),
    "tap_events": ("id", "device_id", "location_id", "poured_at", "beverage", "volume_ml", "duration_ms",
                   "temperature_c", "created_at", "updated_at"),
    "device_heartbeats": ("id", "device_id", "sent_at", "status", "firmware_version", "signal_strength_dbm",
                          "created_at", "updated_at"),
    "device_errors": ("id", "device_id", "occurred_at", "error_code", "severity", "message",
                      "created_at", "updated_at"),
    "sessions": ("id", "user_id", "started_at", "ended_at", "platform", "app_version", "crashed",
                 "created_at", "updated_at"),
    "page_views": ("id", "session_id", "user_id", "viewed_at", "path", "created_at", "updated_at"),
    "feature_usage": ("id", "user_id", "feature_id", "used_at", "action", "created_at", "updated_at"),
    "sim.account_truth": ("account_id", "churn_propensity", "engagement", "expansion_propensity",
                          "payment_reliability", "salt"),
    "sim.account_events": ("id", "account_id", "occurred_at", "kind", "plan", "billing_interval", "seats", "status"),
}

_STAMPS = "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, CHECK (updated_at >= created_at)"
_ENTITY_STAMPS = _STAMPS + ", deleted_at timestamptz"

TABLES_DDL = f"""
CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    domain text NOT NULL UNIQUE,
    industry text NOT NULL CHECK (industry IN ('bar', 'restaurant', 'brewery', 'hotel', 'nightclub', 'venue')),
    company_size text NOT NULL CHECK (company_size IN ('1-10', '11-50', '51-200', '201-1000', '1000+')),
    country text NOT NULL CHECK (country ~ '^[A-Z]{{2}}$'),
    timezone text NOT NULL,
    plan text NOT NULL CHECK (plan IN ('starter', 'growth', 'pro', 'enterprise')),
    billing_interval text NOT NULL CHECK (billing_interval IN ('month', 'quarter', 'year')),
    seats integer NOT NULL CHECK (seats BETWEEN 1 AND 10000),
    status text NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
    signup_channel text NOT NULL
        CHECK (signup_channel IN ('organic', 'paid_search', 'paid_social', 'email', 'referral', 'outbound', 'partner')),
    utm_source text,
    utm_medium text,
    utm_campaign text,
    trial_ends_at timestamptz CHECK (trial_ends_at > created_at),
    status_changed_at timestamptz NOT NULL,
    canceled_at timestamptz,
    last_active_at timestamptz,
    {_ENTITY_STAMPS},
    CHECK (status <> 'trialing' OR trial_ends_at IS NOT NULL),
    CHECK ((status = 'canceled') = (canceled_at IS NOT NULL)),
    CHECK (deleted_at IS NULL OR status = 'canceled')
);
CREATE TABLE locations (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    name text NOT NULL CHECK (name <> ''),
    city text NOT NULL,
    country text NOT NULL CHECK (country ~ '^[A-Z]{{2}}$'),
    timezone text NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'closed')),
    {_ENTITY_STAMPS},
    CHECK (deleted_at IS NULL OR status = 'closed')
);
CREATE TABLE devices (
    id uuid PRIMARY KEY,
    location_id uuid NOT NULL,
    serial_number text NOT NULL UNIQUE,
    model text NOT NULL,
    firmware_version text NOT NULL,
    status text NOT NULL CHECK (status IN ('provisioning', 'online', 'offline', 'retired')),
    installed_at timestamptz,
    {_ENTITY_STAMPS},
    CHECK (status IN ('provisioning', 'retired') OR installed_at IS NOT NULL),
    CHECK (deleted_at IS NULL OR status = 'retired')
);
CREATE TABLE users (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    email text NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
    full_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'staff')),
    status text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    last_login_at timestamptz,
    {_ENTITY_STAMPS},
    CHECK (status <> 'invited' OR last_login_at IS NULL),
    CHECK (deleted_at IS NULL OR status = 'deactivated')
);
CREATE TABLE features (
    id uuid PRIMARY KEY,
    key text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z_]*$'),
    name text NOT NULL,
    category text NOT NULL CHECK (category IN ('analytics', 'operations', 'inventory', 'engagement', 'integrations')),
    status text NOT NULL CHECK (status IN ('beta', 'ga', 'deprecated')),
    released_at timestamptz NOT NULL,
    {_ENTITY_STAMPS}
);
CREATE TABLE tap_events (
    id uuid NOT NULL,
    device_id uuid NOT NULL,
    location_id uuid NOT NULL,
    poured_at timestamptz NOT NULL,
    beverage text NOT NULL,
    volume_ml integer NOT NULL CHECK (volume_ml > 0 AND volume_ml <= 5000),
    duration_ms integer NOT NULL CHECK (duration_ms > 0),
    temperature_c numeric(4, 1) NOT NULL CHECK (temperature_c BETWEEN -5 AND 30),
    {_STAMPS}
);
CREATE TABLE device_heartbeats (
    id uuid NOT NULL,
    device_id uuid NOT NULL,
    sent_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('online', 'offline')),
    firmware_version text NOT NULL,
    signal_strength_dbm smallint CHECK (signal_strength_dbm BETWEEN -120 AND 0),
    {_STAMPS},
    CHECK ((status = 'online') = (signal_strength_dbm IS NOT NULL))
);
CREATE TABLE device_errors (
    id uuid NOT NULL,
    device_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    error_code text NOT NULL CHECK (error_code ~ '^E[0-9]{{3}}$'),
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    message text NOT NULL,
    {_STAMPS}
);
CREATE TABLE sessions (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL,
    platform text NOT NULL CHECK (platform IN ('web', 'ios', 'android')),
    app_version text NOT NULL,
    crashed boolean NOT NULL,
    {_STAMPS},
    CHECK (ended_at >= started_at)
);
CREATE TABLE page_views (
    id uuid NOT NULL,
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    viewed_at timestamptz NOT NULL,
    path text NOT NULL CHECK (path LIKE '/%'),
    {_STAMPS}
);
CREATE TABLE feature_usage (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    feature_id uuid NOT NULL,
    used_at timestamptz NOT NULL,
    action text NOT NULL CHECK (action IN ('view', 'create', 'update', 'export', 'share')),
    {_STAMPS}
);
"""

# (table, column, parent). Children of the hard-deletable parents (devices, users) are indexed on
# the key so the delete's foreign key check is an index probe, not a scan of the event table.
FOREIGN_KEYS = (
    ("locations", "account_id", "accounts"), ("devices", "location_id", "locations"),
    ("users", "account_id", "accounts"), ("tap_events", "device_id", "devices"),
    ("tap_events", "location_id", "locations"), ("device_heartbeats", "device_id", "devices"),
    ("device_errors", "device_id", "devices"), ("sessions", "user_id", "users"),
    ("page_views", "session_id", "sessions"), ("page_views", "user_id", "users"),
    ("feature_usage", "user_id", "users"), ("feature_usage", "feature_id", "features"),
)
INDEXED_KEYS = {("locations", "account_id"), ("devices", "location_id"), ("users", "account_id"),
                ("tap_events", "device_id"), ("device_heartbeats", "device_id"), ("device_errors", "device_id"),
                ("sessions", "user_id"), ("page_views", "user_id"), ("feature_usage", "user_id")}

SIM_DDL = """
CREATE SCHEMA IF NOT EXISTS sim;
CREATE TABLE IF NOT EXISTS sim.state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seed bigint NOT NULL,
    scale text NOT NULL,
    history_start timestamptz NOT NULL,
    clock timestamptz NOT NULL,
    tick_count integer NOT NULL
);
COMMENT ON SCHEMA sim IS 'Hidden state of the business simulator; not part of the app database''s product schema';
CREATE TABLE IF NOT EXISTS sim.account_truth (
    account_id uuid PRIMARY KEY,
    churn_propensity real NOT NULL,
    engagement real NOT NULL,
    expansion_propensity real NOT NULL,
    payment_reliability real NOT NULL,
    salt bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS sim.account_events (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    kind text NOT NULL CHECK (kind IN ('signup', 'trial_converted', 'trial_expired', 'upgrade', 'downgrade',
        'seats_changed', 'interval_changed', 'past_due', 'recovered', 'canceled', 'reactivated', 'closed')),
    plan text NOT NULL,
    billing_interval text NOT NULL,
    seats integer NOT NULL,
    status text NOT NULL
);
CREATE INDEX IF NOT EXISTS account_events_occurred_at_idx ON sim.account_events (occurred_at);
"""


def create_sim_schema(conn: psycopg.Connection) -> None:
    conn.execute(SIM_DDL)


def app_tables_present(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                        "AND table_name = ANY(%s) ORDER BY table_name", (list(APP_TABLES),)).fetchall()
    return [name for (name,) in rows]


def create_app_tables(conn: psycopg.Connection) -> None:
    conn.execute(TABLES_DDL)


def add_relations(conn: psycopg.Connection) -> None:
    """Event primary keys (a sorted index build instead of millions of random uuid inserts), foreign
    keys, then an index on updated_at (the extractor's cursor) and on the keys above."""
    for table in EVENT_TABLES:
        conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
    for table, column, parent in FOREIGN_KEYS:
        conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey "
                     f"FOREIGN KEY ({column}) REFERENCES {parent} (id)")
    for table in APP_TABLES:
        conn.execute(f"CREATE INDEX {table}_updated_at_idx ON {table} (updated_at)")
    for table, column in sorted(INDEXED_KEYS):
        conn.execute(f"CREATE INDEX {table}_{column}_idx ON {table} ({column})")
