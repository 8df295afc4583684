"""Rules a SQLMesh model already declares, read from its MODEL block with SQLMesh's own parser:
the grain (key rules, and the columns shown for an offending row) and the range and accepted-value
audits. GX checks them again after the build, so each threshold stays written once, in the model."""
from __future__ import annotations

from pathlib import Path

from sqlglot import exp

from include.errors import EltError
from include.paths import REPO_ROOT
from include.quality.rules import Rule, between, key, one_of


def read_model(path: Path) -> tuple[tuple[str, ...], list[Rule]]:
    """(grain, rules) of one model file: key rules for the grain, then its audits' rules."""
    from sqlmesh.core.dialect import parse

    where = str(path.relative_to(REPO_ROOT))
    block = parse(path.read_text(), default_dialect="postgres")[0]
    props = {p.name: p.args["value"] for p in block.expressions}
    if "grain" not in props:
        raise EltError(f"{where}: the MODEL block declares no grain, which its GX suite needs as the key")
    grain = tuple(_names(props["grain"]))
    rules = key(*grain)
    for audit in (props["audits"].expressions if "audits" in props else []):
        rules += _audit_rules(audit)
    return grain, rules


def _audit_rules(audit: exp.Expression) -> list[Rule]:
    args = {a.this.name: a.expression for a in audit.expressions if isinstance(a, exp.PropertyEQ)}
    name = audit.this if isinstance(audit, exp.Anonymous) else audit.name
    if name == "assert_in_range":   # defaults as in sqlmesh/audits/assert_in_range.sql
        low = _number(args.get("min_v"), 0)
        high = _number(args.get("max_v"), 100)
        return between(*_names(args["columns"]), low=low, high=high)
    if name == "assert_non_negative":
        return between(*_names(args["columns"]), low=0)
    if name == "accepted_values":
        return one_of(args["column"].name, tuple(v.name for v in _items(args["is_in"])))
    return []   # keys, not-nulls and history windows: SQLMesh's audits own those


def _items(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Tuple):
        return list(node.expressions)
    return [node.this if isinstance(node, exp.Paren) else node]


def _names(node: exp.Expression) -> list[str]:
    return [item.name for item in _items(node)]


def _number(node: exp.Expression | None, default: float) -> float:
    if node is None:
        return default
    value = float(node.sql().replace(" ", ""))
    return int(value) if value.is_integer() else value
