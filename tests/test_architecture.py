"""The package's shape: every module imports, no import circles, and the layers hold.

The import graph is read from the source (every ``import`` and ``from ... import``,
also those inside functions), so a lazy import that hides a circle is found too.
``from package import module`` is an edge to the module, as Python resolves it.
The layers are the ones ``docs/architecture.md`` draws: ``sparql`` at the bottom,
``stores`` on it, the domain packages above, ``web`` and ``cli`` on top.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import networkx as nx
import pytest

import crossinnov

PACKAGE = Path(crossinnov.__file__).resolve().parent


def module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["crossinnov", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


MODULES = module_names()


def imported(name: str, path: Path) -> set[str]:
    """The crossinnov modules that the module ``name`` imports, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("crossinnov") and target != name:
                found.add(target)
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target in imported(name, path):
            graph.add_edge(name, target)
    return graph


GRAPH = import_graph()


def layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "crossinnov"


def test_the_graph_sees_the_imports_it_should():
    # a check of the checker: known edges are found, also a lazy one inside a function
    assert GRAPH.has_edge("crossinnov.stores.embedded", "crossinnov.stores.base")
    assert GRAPH.has_edge("crossinnov.stores.served", "crossinnov.stores.workers")
    assert GRAPH.has_edge("crossinnov.cli", "crossinnov.web.server")  # imported in a function
    assert GRAPH.has_edge("crossinnov.stores.remote", "crossinnov.stores.http")


def test_no_import_circles():
    circles = sorted(sorted(c) for c in nx.simple_cycles(GRAPH))
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)


#: what each lower layer may import (besides itself); web and cli may import anything
ALLOWED = {
    "sparql": {"formats", "iris", "namespaces"},
    "stores": {"sparql", "formats", "iris", "namespaces", "config"},
    "formats": {"iris", "namespaces"},
    "publish": {"sparql", "stores", "formats", "iris", "namespaces", "writes", "crossinnov"},
}


@pytest.mark.parametrize("lower", sorted(ALLOWED))
def test_lower_layers_do_not_reach_up(lower):
    bad = sorted((a, b) for a, b in GRAPH.edges
                 if layer(a) == lower and layer(b) != lower and layer(b) not in ALLOWED[lower])
    assert bad == [], f"{lower} imports from above it: {bad}"


def test_only_web_and_cli_import_the_web():
    bad = sorted((a, b) for a, b in GRAPH.edges
                 if layer(b) == "web" and layer(a) not in ("web", "cli"))
    assert bad == []


def test_publishing_is_free_of_flask():
    for name, path in MODULES.items():
        if layer(name) != "publish":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        roots = {alias.name.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.Import) for alias in node.names}
        roots |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom)}
        assert "flask" not in roots, name


def test_blueprints_do_not_import_each_other():
    blueprints = {n for n, p in MODULES.items()
                  if layer(n) == "web" and "Blueprint(" in p.read_text(encoding="utf-8")}
    bad = sorted((a, b) for a, b in GRAPH.edges if a in blueprints and b in blueprints)
    assert bad == [], f"blueprints importing blueprints: {bad}"
