"""The notary reads its settings only through ``govchain_notary.settings``: no other
module of the package reads the process environment."""

from __future__ import annotations

import ast
from pathlib import Path

import govchain_notary

PACKAGE = Path(govchain_notary.__file__).parent
ENV_NAMES = frozenset({"environ", "environb", "getenv", "getenvb"})

#: Modules that may read the environment, and why.
ALLOWED = {
    "settings.py": "the settings themselves (and the path of their config file)",
}


def environment_reads(source: str) -> list[int]:
    """Line numbers of ``os.environ``/``os.getenv`` uses and of their imports from ``os``."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute | ast.ImportFrom) and _reads_environment(node)
    )


def _reads_environment(node: ast.Attribute | ast.ImportFrom) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in ENV_NAMES and isinstance(node.value, ast.Name) and node.value.id == "os"
    return node.module == "os" and any(alias.name in ENV_NAMES for alias in node.names)


def test_the_scan_finds_every_form_of_environment_read() -> None:
    source = (
        "import os\nfrom os import getenv\n"
        "a = os.environ['X']\nb = os.getenv('Y')\nc = os.environ.get('Z')\nd = os.path.sep\n"
    )
    assert environment_reads(source) == [2, 3, 4, 5]


def test_only_the_settings_module_reads_the_environment() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := environment_reads(path.read_text()))
    }
    assert set(found) <= set(ALLOWED), {k: v for k, v in found.items() if k not in ALLOWED}
    assert "settings.py" in found  # the scan still sees the one read that is allowed
