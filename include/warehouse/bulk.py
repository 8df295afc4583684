"""Bulk movement with Postgres COPY: rows stream from one server to another without being parsed
into Python objects, in chunks of COPY text."""
from __future__ import annotations

import psycopg


def stream_copy(src: psycopg.Connection, copy_out_sql, dst: psycopg.Connection, copy_in_sql) -> int:
    """Pipe `COPY ... TO STDOUT` on src into `COPY ... FROM STDIN` on dst. Returns rows written."""
    with src.cursor() as src_cur, dst.cursor() as dst_cur:
        with src_cur.copy(copy_out_sql) as out, dst_cur.copy(copy_in_sql) as into:
            for chunk in out:
                into.write(chunk)
        return dst_cur.rowcount
