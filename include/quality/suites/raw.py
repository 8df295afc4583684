"""Raw suites, derived from the source manifests: per raw table the key is never NULL, the cursor
is populated, and the table is fresh (DESIGN.md §9's 15-minute SLA). App tables mirror the
source's columns (key and cursor as the manifest names them); API tables hold the payload with
the typed `id` and `cursor_at` (include/warehouse/payload_tables.py), and keep the records the
source sent without a cursor, flagged: there every row without a flag has its cursor."""
from __future__ import annotations

from include.quality.rules import Suite, cursor_unless_flagged, fresh, key, required
from include.sources import manifest, registry


def suites():
    for source in registry.available():
        if registry.is_api(source):
            columns = {t: ("id", "cursor_at") for t in registry.raw_tables(source)}
        else:
            columns = {t.name: (t.primary_key, t.cursor) for t in manifest.load(source).tables}
        for table in registry.raw_tables(source):
            pk, cursor = columns[table]
            populated = cursor_unless_flagged(cursor) if registry.is_api(source) else required(cursor)
            yield Suite(f"raw_{source}", table, (pk,), tuple(key(pk) + populated + fresh(source, table)))
