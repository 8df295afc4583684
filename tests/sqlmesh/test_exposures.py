"""The exposures registry (sqlmesh/exposures.yaml) against SQLMesh's own DAG: every dashboard and
report names an owner, a description and models that exist in the project, and each one's full
upstream lineage, followed through the models' dependencies (model.depends_on, recursively),
reaches the raw sources (external models raw_<source>.*): every path ends in a raw source or in a
seed (crm.sales_quotas). The lineage is printed (pytest -s)."""
from __future__ import annotations

import pytest
import yaml

from include.paths import SQLMESH_DIR

REQUIRED = {"name", "label", "type", "owner", "description", "depends_on"}
# The seed design's dashboards and reports (CRM exposures + the metrics layer's dashboards).
EXPECTED = {
    "sales_pipeline", "sales_activity", "customer_support", "revenue_analytics", "account_health",
    "product_performance", "sales_forecast", "customer_360", "executive", "customer_success", "product",
    "marketing",
}


def load_exposures() -> list[dict]:
    return yaml.safe_load((SQLMESH_DIR / "exposures.yaml").read_text())["exposures"]


@pytest.fixture(scope="module")
def project(pg_server):
    """The SQLMesh project loaded (no build: lineage is a property of the code)."""
    from include.transform.runner import context

    return context(pg_server)


def short(fqn: str) -> str:
    """'"db"."schema"."table"' -> 'schema.table'."""
    return ".".join(part.strip('"') for part in fqn.split(".")[-2:])


def lineage(ctx, name: str) -> dict[str, list[str]]:
    """Every model upstream of `name` (itself included) -> its direct parents, from depends_on."""
    edges: dict[str, list[str]] = {}
    todo = [ctx.get_model(name).fqn]
    while todo:
        fqn = todo.pop()
        if fqn in edges:
            continue
        model = ctx.get_model(fqn)
        parents = sorted(model.depends_on) if model is not None else []
        edges[fqn] = parents
        todo.extend(parents)
    return edges


def render(edges: dict[str, list[str]], root: str, depth: int = 0, seen: set | None = None) -> list[str]:
    seen = set() if seen is None else seen
    lines = ["  " * depth + short(root) + ("  (see above)" if root in seen and edges[root] else "")]
    if root in seen:
        return lines
    seen.add(root)
    for parent in edges[root]:
        lines += render(edges, parent, depth + 1, seen)
    return lines


def test_registry_is_complete():
    exposures = load_exposures()
    names = [e["name"] for e in exposures]
    assert len(names) == len(set(names)), "exposure names are unique"
    assert set(names) == EXPECTED
    for exposure in exposures:
        missing = REQUIRED - exposure.keys()
        assert not missing, f"{exposure['name']} lacks {missing}"
        assert exposure["type"] in {"dashboard", "report"}
        assert exposure["owner"].get("team") and exposure["description"].strip()
        assert exposure["depends_on"], f"{exposure['name']} reads no model"


def test_every_model_exists_and_lineage_reaches_raw_sources(project):
    for exposure in load_exposures():
        print(f"\n== {exposure['label']} ({exposure['name']}, owner {exposure['owner']['team']})")
        raw_sources: set[str] = set()
        for name in exposure["depends_on"]:
            model = project.get_model(name)
            assert model is not None, f"{exposure['name']}: {name} is not a model of the SQLMesh project"
            assert model.kind.is_external is False, f"{exposure['name']}: {name} is a raw source, not a model"
            edges = lineage(project, name)
            print("\n".join(render(edges, model.fqn)))
            leaves = [fqn for fqn, parents in edges.items() if not parents]
            for leaf in leaves:
                leaf_model = project.get_model(leaf)
                is_raw = leaf_model is not None and leaf_model.kind.is_external and short(leaf).startswith("raw_")
                is_seed = leaf_model is not None and leaf_model.kind.is_seed
                assert is_raw or is_seed, f"{name}'s lineage ends in {short(leaf)}, neither a raw source nor a seed"
            raw_sources |= {short(leaf) for leaf in leaves if project.get_model(leaf).kind.is_external}
        print(f"-- raw sources: {', '.join(sorted(raw_sources))}")
        assert raw_sources, f"{exposure['name']}'s lineage reaches no raw source"
