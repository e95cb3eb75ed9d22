"""No import cycles between the modules of govchain_node.

import-linter's ``acyclic_siblings`` contract checks cycles between *packages* (a package
and all it contains, squashed); the node still has some (e.g. ``chain`` and ``consensus``
import from each other through different modules), so it is not declared yet. This test
checks the finer, module-level graph, which is acyclic.

The graph is read from the source with ``ast``: every ``import`` and ``from … import`` of a
govchain_node module, lazy imports inside functions and ``TYPE_CHECKING`` blocks included,
because a cycle hidden behind a lazy import is still a cycle in the design (the old
``service.py <-> qbft_driver.py`` pair was one).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "node" / "govchain_node"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports."""
    sources = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module is not None:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {module for module in found if module in sources and module != name}
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, …, a]``, or ``None`` for an acyclic graph."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)) is not None:
            return cycle
    return None


def test_govchain_node_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert "govchain_node.consensus.driver" in graph
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_checker_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("from pkg.b import thing\n")
    (root / "b.py").write_text("def thing():\n    from pkg import a\n")
    (root / "c.py").write_text("import pkg.a\n")
    graph = import_graph(root)
    assert graph["pkg.b"] == {"pkg", "pkg.a"}  # ``from pkg import a`` runs both
    assert find_cycle(graph) in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"])


def test_an_acyclic_graph_passes() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
