"""Warehouse resolution, connections, the embedded Postgres default and bulk-load helpers."""
