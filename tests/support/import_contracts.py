"""The import-linter contracts of ``pyproject.toml``, read by the tests that check their reach.

``lint-imports`` (run in CI) enforces the contracts; the tests do not re-check imports with
a second list of rules. They check that each rule the design needs is declared and that
its module lists keep up with the packages (a new module is covered, not silently allowed).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def linter_config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]  # type: ignore[no-any-return]


def forbidden_contract(source: str) -> dict[str, Any]:
    """The one ``forbidden`` contract whose source modules include ``source``."""
    found: list[dict[str, Any]] = [
        contract
        for contract in linter_config()["contracts"]
        if contract["type"] == "forbidden" and source in contract["source_modules"]
    ]
    assert len(found) == 1, f"expected one forbidden contract for {source}, found {len(found)}"
    return found[0]


def submodules(package: Path, dotted: str) -> set[str]:
    """Dotted names of the direct submodules and subpackages of ``package`` (``__main__`` and
    ``__init__`` excluded)."""
    names = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")
    }
    return {f"{dotted}.{name}" for name in names - {"__init__", "__main__"}}
