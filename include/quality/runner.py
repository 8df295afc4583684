"""Runs a layer's suites as GX checkpoints, keeps the results and rebuilds the data docs.

One context and one datasource per run; one checkpoint per suite (named after its table), because
the columns that identify an offending row (the table's key) are a checkpoint's result format.
A failed expectation fails the layer with a QualityFailure that names the suite, the rule, the
table and a few offending rows. Runs take the project's file lock (include/quality/context.py):
layers and environments share the suites' files, so they validate one at a time."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from include.errors import EltError
from include.paths import DATA_DOCS_DIR, EXPECTATIONS_DIR
from include.quality import context as gx_context
from include.quality.results import RuleResult, record
from include.quality.rules import Suite
from include.quality.suites import layer_suites
from include.warehouse.connect import connect
from include.warehouse.settings import PgUrl

log = logging.getLogger(__name__)
SAMPLE_ROWS = 5
# GX's own store keeps each suite's newest runs, which its data docs list; elt_meta.quality_results
# keeps every run. Rendering the docs index grows with the store (10 runs: 5 s a layer, 3: 2 s).
GX_RUNS_KEPT = 3
SQLMESH_LAYERS = ("staging", "intermediate", "entity", "crm", "marts", "metrics")


class QualityFailure(EltError):
    """A layer broke at least one rule; the message names each broken rule."""


@dataclass(frozen=True)
class LayerResult:
    layer: str
    environment: str
    run_id: str
    results: list[RuleResult]
    data_docs: Path

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if not r.success]

    @property
    def success(self) -> bool:
        return not self.failures

    def summary(self) -> dict:
        return {"layer": self.layer, "environment": self.environment, "run_id": self.run_id,
                "suites": len({r.suite for r in self.results}), "rules": len(self.results),
                "failed": [f"{r.suite}: {r.rule}" for r in self.failures], "data_docs": str(self.data_docs)}


def schemas(environment: str) -> dict[str, str]:
    """Each SQLMesh layer's schema: `entity` in prod, `entity__<env>` in a virtual environment."""
    return {layer: layer if environment == "prod" else f"{layer}__{environment}" for layer in SQLMESH_LAYERS}


def run_layer(warehouse: PgUrl, layer: str, *, environment: str = "prod") -> LayerResult:
    """Validate every table of a layer, record the results in elt_meta.quality_results and GX's
    store, rebuild the data docs; raise QualityFailure if any expectation failed."""
    suites = layer_suites(layer)
    layer_schemas = schemas(environment)
    checked_at = datetime.now(timezone.utc)
    run_id = f"{layer}-{environment}-{checked_at:%Y%m%dT%H%M%S.%fZ}"
    _check_tables_exist(warehouse, suites, layer_schemas)
    started = time.monotonic()
    # One run at a time per project: a prod run and a review's dev run write the same suites.
    with gx_context.project_lock():
        waited = time.monotonic() - started
        results, validations, ctx = _validate(warehouse, suites, layer_schemas, run_id, checked_at)
        checked = time.monotonic() - started - waited
        record(warehouse, run_id, checked_at, layer, environment, results)
        result = LayerResult(layer, environment, run_id, results, _build_docs(ctx, validations))
    log.info("quality %s (%s): %d suites, %d rules, %d failed; waited %.1fs, checked in %.1fs, docs in %.1fs: %s",
             layer, environment, len(suites), len(results), len(result.failures), waited, checked,
             time.monotonic() - started - waited - checked, result.data_docs)
    if result.failures:
        raise QualityFailure(failure_message(result))
    return result


def build_data_docs() -> Path:
    """Rebuild the data docs site's suite pages and its index of every kept validation result;
    its index.html. (Each run has rendered its own validation pages.)"""
    with gx_context.project_lock():
        ctx = gx_context.open_context()
        return _build_docs(ctx, ctx.expectations_store.list_keys())


def _validate(warehouse: PgUrl, suites: list[Suite], layer_schemas: dict[str, str], run_id: str,
              checked_at: datetime):
    """Run each suite's checkpoint: (rule results, GX validation result ids, the context)."""
    import great_expectations as gx

    ctx = gx_context.open_context()
    source = gx_context.datasource(ctx, warehouse)
    checkpoints = [(suite, _checkpoint(ctx, source, suite, layer_schemas)) for suite in suites]
    gx_run_id = gx.RunIdentifier(run_name=run_id, run_time=checked_at)
    results: list[RuleResult] = []
    validations = []
    for suite, checkpoint in checkpoints:
        for identifier, validation in checkpoint.run(run_id=gx_run_id).run_results.items():
            validations.append(identifier)
            results += [_rule_result(warehouse, suite, layer_schemas, r) for r in validation.results]
    return results, validations, ctx


def _build_docs(ctx, resources: list) -> Path:
    """Render the given suites' and validation results' pages, and the index. Rendering every
    kept result each time would grow with the store."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    _prune_gx_results()
    suites = {ExpectationSuiteIdentifier(r.expectation_suite_identifier.name) for r in resources
              if isinstance(r, ValidationResultIdentifier)}
    ctx.build_data_docs(resource_identifiers=[*suites, *resources])
    return DATA_DOCS_DIR / "index.html"


def _prune_gx_results() -> None:
    """Delete each suite's validation results beyond the newest GX_RUNS_KEPT, and their pages.
    GX's filesystem store lays a result out as <suite dirs>/<run name>/<run time>/<batch>.json and
    the site mirrors that path as .html."""
    store = EXPECTATIONS_DIR / "uncommitted" / "validations"
    by_suite: dict[Path, list[Path]] = {}
    for result in store.glob("**/*.json"):
        by_suite.setdefault(result.parent.parent.parent, []).append(result)
    for results in by_suite.values():
        for old in sorted(results, key=lambda p: p.stat().st_mtime, reverse=True)[GX_RUNS_KEPT:]:
            page = (DATA_DOCS_DIR / "validations" / old.relative_to(store)).with_suffix(".html")
            for path in (old, page):
                path.unlink(missing_ok=True)
                for folder in (path.parent, path.parent.parent):
                    if folder.is_dir() and not any(folder.iterdir()):
                        folder.rmdir()


def failure_message(result: LayerResult) -> str:
    """One line per broken rule: suite, rule and expectation, table, how many rows, a sample."""
    lines = [f"quality checks failed for layer {result.layer} ({result.environment}): "
             f"{len(result.failures)} of {len(result.results)} rules broken (run {result.run_id})"]
    for r in result.failures:
        share = f" ({r.unexpected_percent:.1f}%)" if r.unexpected_percent is not None else ""
        if r.unexpected_count is None:
            lines.append(f"suite {r.suite}: rule {r.rule} [{r.expectation}] could not be evaluated on table "
                         f"{r.table_name}: {_sample_text(r.sample)}")
            continue
        count = f"{r.unexpected_count} of {r.element_count} rows" if r.element_count is not None \
            else f"{r.unexpected_count} row{'' if r.unexpected_count == 1 else 's'}"
        lines.append(f"suite {r.suite}: rule {r.rule} [{r.expectation}] failed on table {r.table_name}: "
                     f"{count} unexpected{share}; sample: {_sample_text(r.sample)}")
    return "\n".join(lines)


def _checkpoint(ctx, source, suite: Suite, layer_schemas: dict[str, str]):
    import great_expectations as gx

    schema = layer_schemas.get(suite.schema, suite.schema)
    batch = gx_context.table_batch(source, schema, suite.table)
    gx_suite = ctx.suites.add_or_update(gx.ExpectationSuite(
        name=suite.name, expectations=[rule.build(layer_schemas) for rule in suite.rules]))
    # The suite is named after the table; its validation definition and checkpoint after the table
    # as this environment names it (entity__dev.entity_customers): GX resolves a stored validation
    # definition's asset when it is updated, and a dev run's datasource has only dev tables.
    name = f"{schema}.{suite.table}"
    validation = ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite))
    return ctx.checkpoints.add_or_update(gx.Checkpoint(
        name=name, validation_definitions=[validation],
        result_format={"result_format": "SUMMARY", "unexpected_index_column_names": list(suite.key),
                       "partial_unexpected_count": SAMPLE_ROWS}))


def _rule_result(warehouse: PgUrl, suite: Suite, layer_schemas: dict[str, str], outcome) -> RuleResult:
    config = outcome.expectation_config
    rule = next(r for r in suite.rules if r.name == config.meta["rule"])
    table_name = f"{layer_schemas.get(suite.schema, suite.schema)}.{suite.table}"
    found = outcome.result or {}
    error = _error(outcome.exception_info)
    if error:   # an expectation that could not be evaluated is broken, and says why
        return RuleResult(suite.name, table_name, rule.name, config.type, False, None, None, None,
                          [{"error": error}])
    if rule.sql is not None:   # SQL rules report a row count; their rows are the sample
        sample = [] if outcome.success else _sql_sample(warehouse, config.kwargs["unexpected_rows_query"], table_name)
        return RuleResult(suite.name, table_name, rule.name, config.type, outcome.success, None,
                          found.get("observed_value"), None, sample)
    sample = found.get("partial_unexpected_index_list") or found.get("partial_unexpected_list") or []
    return RuleResult(suite.name, table_name, rule.name, config.type, outcome.success, found.get("element_count"),
                      found.get("unexpected_count"), found.get("unexpected_percent"), sample[:SAMPLE_ROWS])


def _sql_sample(warehouse: PgUrl, query: str, table_name: str) -> list[dict]:
    with connect(warehouse) as conn:
        cur = conn.execute(f"SELECT * FROM ({query.format(batch=table_name)}) offending LIMIT {SAMPLE_ROWS}")
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def _error(info) -> str | None:
    """The first error message in GX's exception_info (flat, or keyed by metric)."""
    infos = [info] if isinstance(info, dict) and "raised_exception" in info else list((info or {}).values())
    for item in infos:
        if isinstance(item, dict) and item.get("raised_exception"):
            return " ".join(str(item.get("exception_message", "")).split())[:500]
    return None


def _check_tables_exist(warehouse: PgUrl, suites: list[Suite], layer_schemas: dict[str, str]) -> None:
    """A missing table is a clear error (built yet? right environment?), not a GX traceback."""
    names = [f"{layer_schemas.get(s.schema, s.schema)}.{s.table}" for s in suites]
    with connect(warehouse) as conn:
        missing = [n for n in names if conn.execute("SELECT to_regclass(%s)", (n,)).fetchone()[0] is None]
    if missing:
        raise EltError(f"cannot check quality in {warehouse.redacted}: {len(missing)} tables are missing "
                       f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); run the el DAGs and "
                       f"the transform first (or plan the SQLMesh environment)")


def _sample_text(rows: list) -> str:
    if not rows:
        return "none"
    return "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) if isinstance(row, dict) else str(row)
                     for row in rows)
