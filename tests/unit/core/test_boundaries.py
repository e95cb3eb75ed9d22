"""The proof core imports nothing but the standard library; the client stays light."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def imported_top_level_modules(package: Path) -> set[str]:
    found: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_core_uses_only_the_standard_library() -> None:
    modules = imported_top_level_modules(ROOT / "core" / "govchain_core")
    foreign = {m for m in modules if m not in sys.stdlib_module_names and m != "govchain_core"}
    assert not foreign, f"the proof core must stay stdlib-only, but imports {sorted(foreign)}"


def test_core_distribution_declares_no_dependencies() -> None:
    project = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == []


def test_client_distribution_pulls_neither_the_node_nor_the_notary() -> None:
    project = tomllib.loads((ROOT / "clients" / "pyproject.toml").read_text())["project"]
    heavy = ("py-evm", "fastapi", "uvicorn", "sqlmodel", "web3", "lmdb", "alembic")
    names = [
        dep.split(">")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]
    ]
    assert not set(names) & set(heavy)
    modules = imported_top_level_modules(ROOT / "clients" / "govchain_client")
    assert not modules & {"eth", "fastapi", "sqlmodel", "govchain_node", "govchain_notary"}


def test_distribution_versions_agree() -> None:
    from govchain_core import __version__

    for folder in ("core", "clients"):
        project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
        assert project["version"] == __version__, folder
