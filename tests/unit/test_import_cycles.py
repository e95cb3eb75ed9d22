"""No import cycle anywhere in the project, and the node's layers declared one way.

``lint-imports`` (run by ``scripts/test`` before pytest) enforces both with the contracts
in ``pyproject.toml``: ``acyclic_siblings`` over all five distributions (at every depth, so
modules inside a package and packages inside a distribution alike; lazy imports inside
functions and ``TYPE_CHECKING`` blocks count, since a cycle hidden behind a lazy import is
still a cycle in the design) and a ``layers`` contract for the node. These tests check that
the contracts cover every distribution and every layer module, and that the linter really
fails on a cycle made only of a lazy import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.import_contracts import ROOT, linter_config, submodules

#: Node modules outside the layers: leaf utilities that import nothing of the node but
#: ``errors`` (or ``keys``/``tomlfile``, themselves leaves) and so cannot close a cycle.
UNLAYERED = {
    "_hashing", "callstate", "config", "errors", "formatting", "interpreter", "keys",
    "ordered_trie", "permissions", "tomlfile",
}  # fmt: skip


def contract_of_type(kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in linter_config()["contracts"] if c["type"] == kind]
    assert len(found) == 1, f"expected one {kind} contract, found {len(found)}"
    return found[0]


def test_every_distribution_is_checked_for_cycles() -> None:
    contract = contract_of_type("acyclic_siblings")
    assert set(contract["ancestors"]) == set(linter_config()["root_packages"])
    assert "ignore_imports" not in contract
    assert contract.get("depth", 10) >= 4  # govchain_node.consensus.qbft.<module> is depth 3


def test_every_node_module_has_a_layer() -> None:
    layers = contract_of_type("layers")["layers"]
    layered = {name.strip() for layer in layers for name in layer.split("|")}
    node = submodules(ROOT / "node" / "govchain_node", "govchain_node")
    unplaced = node - layered - {f"govchain_node.{name}" for name in UNLAYERED}
    assert unplaced == set(), "give these modules a layer in pyproject.toml"


def test_the_linter_fails_on_a_cycle_made_by_a_lazy_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing() -> None:\n    from pkg import a\n")
    config = tmp_path / "linter.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["pkg"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "cycles"\ntype = "acyclic_siblings"\n'
        'ancestors = ["pkg"]\n'
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = [sys.executable, "-c", "from importlinter.cli import lint_imports_command;"
           "lint_imports_command()", str(config), "--no-cache"]  # fmt: skip
    broken = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "No cycles are allowed in pkg" in broken.stdout
    assert ".b -> .a" in broken.stdout  # the lazy import is the one to remove

    (package / "b.py").write_text("def thing() -> None:\n    pass\n")
    kept = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout + kept.stderr
