"""The proof core imports nothing but the standard library; the client stays light.

Import rules between packages are import-linter contracts (``lint-imports`` enforces them);
these tests check that the contracts exist and name every package they must. The one rule
import-linter cannot state, "the standard library only" (it has no allow-list contract),
is checked here from the source.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from tests.support.import_contracts import ROOT, forbidden_contract, linter_config

#: Import names of the heavy dependencies the client must never pull in.
HEAVY_IMPORTS = {"eth", "web3", "fastapi", "uvicorn", "sqlmodel", "sqlalchemy", "alembic", "lmdb"}


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


def test_the_linter_sees_every_govchain_package() -> None:
    config = linter_config()
    packages = {p.name for p in ROOT.glob("*/govchain_*") if (p / "__init__.py").is_file()}
    assert set(config["root_packages"]) == packages
    assert config["include_external_packages"] is True  # else third-party rules are void


def test_a_contract_keeps_the_core_off_every_other_govchain_package() -> None:
    others = set(linter_config()["root_packages"]) - {"govchain_core"}
    assert others <= set(forbidden_contract("govchain_core")["forbidden_modules"])


def test_a_contract_keeps_the_client_off_the_node_the_notary_and_heavy_dependencies() -> None:
    forbidden = set(forbidden_contract("govchain_client")["forbidden_modules"])
    assert {"govchain_node", "govchain_notary", "govchain_contracts"} <= forbidden
    assert forbidden >= HEAVY_IMPORTS


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


def test_distribution_versions_agree() -> None:
    from govchain_core import __version__

    for folder in ("core", "clients"):
        project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
        assert project["version"] == __version__, folder
