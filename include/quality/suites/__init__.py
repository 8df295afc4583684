"""Every GX suite, one per table, named after the table (`entity.entity_customers`).

Raw suites are derived from the source manifests (suites/raw.py). The suites of the SQLMesh layers
are the layer's models (sqlmesh/models/<layer>/*.sql): what each model declares (grain, range and
accepted-value audits, include/quality/model_rules.py), plus the rules its layer module
(suites/<layer>.py, RULES) adds: completeness, referential integrity, consistency across layers."""
from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from include.errors import EltError
from include.paths import SQLMESH_DIR
from include.quality.rules import Rule, Suite

LAYERS = ("raw", "entity", "crm", "marts", "metrics")


def layer_suites(layer: str) -> list[Suite]:
    """The suites of one layer, in table order."""
    if layer not in LAYERS:
        raise EltError(f"unknown quality layer {layer!r}; known: {', '.join(LAYERS)}")
    return list(_layer_suites(layer))


@lru_cache
def _layer_suites(layer: str) -> tuple[Suite, ...]:
    module = import_module(f"include.quality.suites.{layer}")
    if layer == "raw":
        return tuple(module.suites())
    return tuple(model_suites(layer, module.RULES))


def model_suites(layer: str, declared: dict[str, list[Rule]]) -> list[Suite]:
    from include.quality.model_rules import read_model   # SQLMesh's parser: not at DAG parse time

    models = {path.stem: path for path in sorted((SQLMESH_DIR / "models" / layer).glob("*.sql"))}
    unknown = sorted(set(declared) - set(models))
    if unknown:
        raise EltError(f"include/quality/suites/{layer}.py declares rules for {', '.join(unknown)}, "
                       f"which are not models in sqlmesh/models/{layer}/")
    suites = []
    for table, path in models.items():
        grain, rules = read_model(path)
        suites.append(Suite(layer, table, grain, tuple(rules + declared.get(table, []))))
    return suites
