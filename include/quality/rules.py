"""The vocabulary suites are declared in. Each function returns Rules; a Rule is one GX
expectation plus the governance rule it enforces, named so that a failure message reads
"completeness of customer_health_score" rather than an expectation id.

Rules that span tables are SQL (GX's UnexpectedRowsExpectation): they name other tables as
`{entity}.entity_customers`, so one declaration checks prod (`entity`) and a SQLMesh dev
environment (`entity__dev`), and every row the query returns is an offending row. `{batch}` is
the checked table. GX aliases it itself unless the query has a JOIN: with a JOIN write
`{batch} t`, without one `(SELECT * FROM {batch}) t`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# DESIGN.md §9: required fields at least 95 % populated; raw no older than the 15-minute SLA.
COMPLETENESS = 0.95
FRESHNESS_SLA_MINUTES = 15


@dataclass(frozen=True)
class Rule:
    kind: str     # completeness, key, range, accepted values, referential integrity, consistency, freshness
    target: str   # the column, or what a table-level rule relates
    expectation: str                      # the GX expectation class (great_expectations.expectations)
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    # SQL rules: the query, with {batch} for the checked table and {<layer>} for each layer's schema.
    sql: str | None = None

    @property
    def name(self) -> str:
        return f"{self.kind} of {self.target}"

    def build(self, schemas: Mapping[str, str]):
        """The GX expectation, with SQL rules pointed at the given layer schemas."""
        import great_expectations.expectations as gxe

        kwargs = dict(self.kwargs)
        if self.sql is not None:
            kwargs["unexpected_rows_query"] = self.sql.format(batch="{batch}", **schemas)
        return getattr(gxe, self.expectation)(**kwargs, meta={"rule": self.name})


@dataclass(frozen=True)
class Suite:
    """One GX suite: the rules of one table, named after it."""

    schema: str             # the prod schema: raw_<source>, entity, crm, marts, metrics
    table: str
    key: tuple[str, ...]    # the columns shown for each offending row
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def required(*columns: str, mostly: float = COMPLETENESS) -> list[Rule]:
    """Completeness: each column populated in at least `mostly` of the rows."""
    return [Rule("completeness", c, "ExpectColumnValuesToNotBeNull", {"column": c, "mostly": mostly})
            for c in columns]


def cursor_unless_flagged(column: str = "cursor_at") -> list[Rule]:
    """Completeness of an API raw table's cursor: a record the source sent without a readable one
    is kept and flagged (`bad_cursor:...`, `malformed_page`) and counted in its batch, by design;
    every row without a flag has its cursor."""
    sql = f"SELECT id, {column}, _flags FROM {{batch}} WHERE {column} IS NULL AND cardinality(_flags) = 0"
    return [Rule("completeness", f"{column} (rows not flagged)", "UnexpectedRowsExpectation", sql=sql)]


def key(*columns: str) -> list[Rule]:
    """The table's grain: never NULL (SQLMesh's audits check uniqueness at build time)."""
    return [Rule("key", c, "ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def between(*columns: str, low: float | None = 0, high: float | None = None) -> list[Rule]:
    """Range: NULLs pass (completeness is its own rule)."""
    if low is not None and high is not None:
        bounds = f"{low} to {high}"
    else:
        bounds = f">= {low}" if low is not None else f"<= {high}"
    return [Rule("range", f"{c} ({bounds})", "ExpectColumnValuesToBeBetween",
                 {"column": c, "min_value": low, "max_value": high}) for c in columns]


def score(*columns: str) -> list[Rule]:
    """Scores and percentages: 0-100."""
    return between(*columns, low=0, high=100)


def share(*columns: str) -> list[Rule]:
    """Rates and ratios defined as shares: 0-1."""
    return between(*columns, low=0, high=1)


def non_negative(*columns: str) -> list[Rule]:
    """Money, counts and durations: at least 0."""
    return between(*columns, low=0)


def one_of(column: str, values: tuple[str, ...]) -> list[Rule]:
    """Accepted values: NULLs pass."""
    return [Rule("accepted values", column, "ExpectColumnValuesToBeInSet",
                 {"column": column, "value_set": list(values)})]


def refers_to(column: str, parent: str, parent_column: str | None = None, *, select: str | None = None) -> list[Rule]:
    """Referential integrity: every non-NULL `column` is a `parent_column` of `parent`
    ('{entity}.entity_customers'); `select` lists the offending row's columns to show."""
    parent_column = parent_column or column
    shown = ", ".join(f"t.{c.strip()}" for c in (select or column).split(","))
    sql = (f"SELECT {shown} FROM {{batch}} t LEFT JOIN {parent} p ON p.{parent_column} = t.{column} "
           f"WHERE t.{column} IS NOT NULL AND p.{parent_column} IS NULL")
    readable_parent = parent.replace("{", "").replace("}", "")
    return [Rule("referential integrity", f"{column} in {readable_parent}.{parent_column}",
                 "UnexpectedRowsExpectation", sql=sql)]


def agrees(what: str, sql: str) -> list[Rule]:
    """Consistency across layers: `sql` returns the rows where the layers disagree."""
    return [Rule("consistency", what, "UnexpectedRowsExpectation", sql=sql)]


def fresh(source: str, table: str, column: str = "_extracted_at") -> list[Rule]:
    """Freshness: raw was brought up to date within the SLA. That is its newest record, or the
    table's newest load in the ledger: a load that found nothing new still proves raw current."""
    sql = (f"SELECT last_loaded, date_trunc('second', now() - last_loaded) AS age "
           f"FROM (SELECT GREATEST((SELECT max({column}) FROM {{batch}}), "
           f"(SELECT max(finished_at) FROM elt_meta.batches WHERE source = '{source}' "
           f"AND table_name = '{table}')) AS last_loaded) f WHERE last_loaded IS NULL "
           f"OR last_loaded < now() - interval '{FRESHNESS_SLA_MINUTES} minutes'")
    return [Rule("freshness", f"{column} within {FRESHNESS_SLA_MINUTES} minutes", "UnexpectedRowsExpectation",
                 sql=sql)]
