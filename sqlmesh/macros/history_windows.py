"""The SCD type 2 windowing shared by the entity_*_history models, defined once.

@history_windows turns the versions SQLMesh keeps in an SCD_TYPE_2_BY_COLUMN table (valid_to of a
version = valid_from of the next; 1970-01-01 for versions present at the first build; a valid_to
with no successor = the key was hard-deleted then) into validity windows that tile time:

- the first version reaches back to `born_at` (created_at, started_at ...) unless that is NULL,
  later than when the warehouse first saw it, or not before the version's end (the app's clock can
  run ahead of the warehouse's): its first known state stands in for what came before;
- a version closed with no version starting where it ends gets a closing row from that moment
  (`deleted` TRUE, the `gone` overrides, change_reason 'hard_deleted'), open until the key comes
  back;
- change_reason: first_seen (present at the first build), created, restored (back after a hard
  delete, or undeleted), deleted (soft delete), else the comma-separated `tracked` columns that
  changed against the previous version (NULL when none did).

Arguments: the versions table, the key column, then
  columns := [...]   columns carried into each window (the key and valid_* excluded)
  tracked := [...]   columns compared for change_reason
  born_at := col     when the key came to exist in its source
  deleted := col     the soft-delete flag (one of columns); without it is_deleted is FALSE in
                     versions and TRUE in the closing rows
  gone := [col = expr, ...]  what a closing row carries instead (e.g. deleted_at = valid_to)
Returns a query (key, columns..., is_deleted, valid_from, valid_to, change_reason); the model
casts and numbers it."""
from __future__ import annotations

from sqlglot import exp
from sqlmesh import macro

EPOCH = "'1970-01-01 00:00:00+00'::TIMESTAMPTZ"


def _names(value) -> list[str]:
    if value is None:
        return []
    items = value.expressions if isinstance(value, (exp.Array, exp.Tuple)) else [value]
    return [item.sql(dialect="postgres") for item in items]


def _overrides(value) -> dict[str, str]:
    if value is None:
        return {}
    items = value.expressions if isinstance(value, (exp.Array, exp.Tuple)) else [value]
    out = {}
    for item in items:
        if not isinstance(item, (exp.EQ, exp.PropertyEQ)):
            raise ValueError(f"gone := [...] takes column = expression pairs, not {item.sql()}")
        out[item.this.sql(dialect="postgres")] = item.expression.sql(dialect="postgres")
    return out


@macro()
def history_windows(evaluator, source, key, columns=None, tracked=None, born_at=None, deleted=None, gone=None):
    """Validity windows and change reasons of an SCD type 2 versions table (see the module docstring)."""
    src, key = source.sql(dialect="postgres"), key.sql(dialect="postgres")
    cols, watched = _names(columns), _names(tracked)
    born = born_at.sql(dialect="postgres") if born_at is not None else None
    flag = deleted.sql(dialect="postgres") if deleted is not None else None
    closing = _overrides(gone)

    carried = [key, *cols] + ([born] if born and born not in cols else [])
    lags = [f"LAG({c}) OVER w AS prev_{c}" for c in watched + ([flag] if flag else [])]
    versions = (
        f"SELECT {', '.join(carried)}, valid_from, valid_to, ROW_NUMBER() OVER w AS version_seq, "
        + "".join(f"{lag}, " for lag in lags)
        + f"LAG(valid_to) OVER w AS prev_valid_to, LEAD(valid_from) OVER w AS next_valid_from "
        f"FROM {src} WINDOW w AS (PARTITION BY {key} ORDER BY valid_from)"
    )

    if born:
        first_from = (
            f"CASE WHEN version_seq > 1 THEN valid_from "
            f"WHEN valid_from = {EPOCH} AND {born} IS NOT NULL AND (valid_to IS NULL OR {born} < valid_to) "
            f"THEN {born} "
            f"WHEN valid_from = {EPOCH} THEN valid_from "
            f"ELSE LEAST(COALESCE({born}, valid_from), valid_from) END"
        )
    else:
        first_from = "valid_from"
    soft = (f"WHEN {flag} AND NOT prev_{flag} THEN 'deleted' WHEN prev_{flag} AND NOT {flag} THEN 'restored' "
            if flag else "")
    diffs = ", ".join(f"CASE WHEN {c} IS DISTINCT FROM prev_{c} THEN '{c}' END" for c in watched)
    reason = (
        f"CASE WHEN version_seq = 1 AND valid_from = {EPOCH} THEN 'first_seen' "
        f"WHEN version_seq = 1 THEN 'created' "
        f"WHEN prev_valid_to < valid_from THEN 'restored' {soft}"
        f"ELSE NULLIF(ARRAY_TO_STRING(ARRAY[{diffs}], ', '), '') END"
    )

    def closing_value(c: str) -> str:
        if c == flag:
            return f"TRUE AS {c}"
        return f"{closing[c]} AS {c}" if c in closing else c

    live_cols = [key, *cols] + ([] if flag else ["FALSE AS is_deleted"])
    gone_cols = [key, *(closing_value(c) for c in cols)] + ([] if flag else ["TRUE AS is_deleted"])
    return (
        f"WITH versions AS ({versions}) "
        f"SELECT {', '.join(live_cols)}, {first_from} AS valid_from, valid_to, {reason} AS change_reason "
        f"FROM versions "
        f"UNION ALL "
        f"SELECT {', '.join(gone_cols)}, valid_to AS valid_from, next_valid_from AS valid_to, "
        f"'hard_deleted' AS change_reason "
        f"FROM versions WHERE valid_to IS NOT NULL AND (next_valid_from IS NULL OR next_valid_from > valid_to)"
    )
