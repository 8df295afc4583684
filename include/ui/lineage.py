"""The model lineage page: SQLMesh's model DAG, per model its layer, direct parents and children,
and the whole upstream tree down to the raw tables it reads.

Lineage is a property of the project's code, so it is read from a SQLMesh Context (no build, no
query). Loading the project takes seconds, so it happens on the first request and is kept until a
project file changes; never at import (the plugin module is imported by every Airflow component)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import quote

from include.paths import SQLMESH_DIR
from include.report import MODEL_LAYERS
from include.ui.html import Markup, join, link, page, table, tag
from include.warehouse.settings import PgUrl

# What defines the DAG; SQLMesh's own .cache/ and logs/ under the project are not among them.
PROJECT_PARTS = ("config.yaml", "models", "macros", "external_models", "seeds")
LAYERS = ("raw", *MODEL_LAYERS)   # build order; the raw tables are SQLMesh's external models


@dataclass(frozen=True)
class Model:
    name: str                  # schema.table, as models are named in the project
    kind: str                  # FULL, INCREMENTAL_BY_TIME_RANGE, EXTERNAL (the raw tables), SEED, ...
    parents: tuple[str, ...]
    children: tuple[str, ...]

    @property
    def layer(self) -> str:
        return self.name.split(".")[0]

    @property
    def is_raw(self) -> bool:
        return self.kind == "EXTERNAL"


@dataclass(frozen=True)
class Lineage:
    models: dict[str, Model]

    def upstream(self, name: str) -> set[str]:
        return self._reach(name, lambda m: m.parents)

    def downstream(self, name: str) -> set[str]:
        return self._reach(name, lambda m: m.children)

    def raw_sources(self, name: str) -> list[str]:
        return sorted(n for n in self.upstream(name) if self.models[n].is_raw)

    def _reach(self, name: str, step) -> set[str]:
        seen: set[str] = set()
        todo = list(step(self.models[name]))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(step(self.models[current]))
        return seen


def load(url: PgUrl) -> Lineage:
    """Read the DAG from the SQLMesh project (the warehouse URL only configures the Context)."""
    from include.transform.runner import context

    ctx = context(url)
    try:
        names = {fqn: model.name for fqn, model in ctx.models.items()}
        # A table a model reads that the project does not declare still shows, as UNDECLARED.
        parents = {names[fqn]: sorted(names.get(p) or _table_name(p) for p in model.depends_on)
                   for fqn, model in ctx.models.items()}
        kinds = {model.name: model.kind.name.value for model in ctx.models.values()}
    finally:
        ctx.close()
    for undeclared in {p for ups in parents.values() for p in ups} - parents.keys():
        parents[undeclared], kinds[undeclared] = [], "UNDECLARED"
    children: dict[str, list[str]] = {name: [] for name in parents}
    for name, ups in parents.items():
        for parent in ups:
            children[parent].append(name)
    return Lineage({name: Model(name, kinds[name], tuple(parents[name]), tuple(sorted(children[name])))
                    for name in sorted(parents)})


def _table_name(fqn: str) -> str:
    """'"db"."schema"."table"' -> 'schema.table'."""
    return ".".join(part.strip('"') for part in fqn.split(".")[-2:])


def _project_version() -> float:
    """The newest modification time of the files that define the DAG."""
    newest = 0.0
    for part in PROJECT_PARTS:
        path = SQLMESH_DIR / part
        for file in [path] if path.is_file() else path.rglob("*"):
            newest = max(newest, file.stat().st_mtime)
    return newest


_loaded: tuple[float, Lineage] | None = None   # (project version, its lineage)
_lock = threading.Lock()


def cached(url: PgUrl) -> Lineage:
    """The lineage, loaded once per version of the project (one load at a time)."""
    global _loaded
    with _lock:
        version = _project_version()
        if _loaded is None or _loaded[0] != version:
            _loaded = (version, load(url))
        return _loaded[1]


def _model_link(prefix: str, name: str) -> Markup:
    return link(f"{prefix}/{quote(name)}", name)


def render_index(lineage: Lineage, prefix: str) -> str:
    """Every model by layer, in build order (the raw tables first), with its direct parents and children."""
    by_layer: dict[str, list[Model]] = {layer: [] for layer in LAYERS}
    for model in lineage.models.values():
        by_layer.setdefault("raw" if model.is_raw else model.layer, []).append(model)
    layers = [(layer, len(models)) for layer, models in by_layer.items() if models]
    sections = [tag("p", f"{len(lineage.models)} nodes of the SQLMesh DAG. Pick a model for its whole "
                         "upstream tree, down to the raw tables."),
                tag("p", join(["Layers: ", *_sep(link(f"#{layer}", f"{layer} ({n})") for layer, n in layers)]))]
    for layer, models in by_layer.items():
        if models:
            rows = ([_model_link(prefix, m.name), m.kind, join(_sep(_model_link(prefix, p) for p in m.parents)) or "-",
                     join(_sep(_model_link(prefix, c) for c in m.children)) or "-"] for m in models)
            sections += [tag("h2", f"{layer} ({len(models)})", id=layer),
                         table(["model", "kind", "reads (upstream)", "read by (downstream)"], rows, "")]
    return page("Model lineage", *sections)


def render_model(lineage: Lineage, name: str, prefix: str) -> str:
    model = lineage.models[name]
    raw = lineage.raw_sources(name)
    downstream = sorted(lineage.downstream(name))
    return page(f"Lineage of {name}",
                tag("p", join([f"{model.kind} model in layer {model.layer}. ", link(prefix, "All models")])),
                tag("h2", f"Raw tables it reads ({len(raw)})"),
                tag("p", join(_sep(_model_link(prefix, r) for r in raw)) or "None: it reads no raw table.",
                    class_="raw-sources"),
                tag("h2", "Upstream, down to raw"),
                _tree(lineage, name, prefix, set()),
                tag("h2", f"Downstream ({len(downstream)})"),
                tag("p", join(_sep(_model_link(prefix, d) for d in downstream)) or "Nothing reads it."))


def _tree(lineage: Lineage, name: str, prefix: str, seen: set[str]) -> Markup:
    """Nested lists of parents; a model already expanded is shown once more, not again in full."""
    model = lineage.models[name]
    label = join([_model_link(prefix, name), tag("span", f"  {model.kind}", class_="empty")])
    if name in seen and model.parents:
        return tag("ul", tag("li", join([label, tag("span", "  (see above)", class_="empty")])), class_="tree")
    seen.add(name)
    children = join(_tree(lineage, parent, prefix, seen) for parent in model.parents)
    return tag("ul", tag("li", join([label, children])), class_="tree")


def _sep(items) -> list:
    out: list = []
    for item in items:
        out += [", ", item] if out else [item]
    return out
