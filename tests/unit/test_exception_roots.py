"""Every exception class a distribution defines hangs under that distribution's one root,
is drawn in the tree of its root module's docstring, and no exception name means two things.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

import govchain_client
import govchain_contracts
import govchain_core
import govchain_node
import govchain_notary
from govchain_client.errors import ClientError
from govchain_contracts.errors import ContractsError
from govchain_core.errors import CoreError
from govchain_node.errors import NodeError
from govchain_notary.errors import NotaryError

ROOTS: dict[ModuleType, type[Exception]] = {
    govchain_core: CoreError,
    govchain_client: ClientError,
    govchain_node: NodeError,
    govchain_contracts: ContractsError,
    govchain_notary: NotaryError,
}

#: Alembic's migration scripts run inside alembic (``env.py`` needs its live context).
NOT_IMPORTABLE = ".storage.migrations."


#: The client's view of a problem the notary answers with: one meaning seen from both
#: ends of the wire, so the client names it as the notary does.
SAME_MEANING_ACROSS_THE_WIRE = {
    name: {"govchain_client.errors", "govchain_notary.errors"}
    for name in ("NotaryError", "RateLimitedError", "UnavailableError")
}


def defined_exceptions(package: ModuleType) -> list[type[BaseException]]:
    """Exception classes defined (not merely imported) in the package's modules."""
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if NOT_IMPORTABLE in info.name:
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module.__name__:
                found.append(value)
    return found


@pytest.mark.parametrize("package", list(ROOTS), ids=lambda p: p.__name__)
def test_every_exception_hangs_under_the_package_root(package: ModuleType) -> None:
    root = ROOTS[package]
    exceptions = defined_exceptions(package)
    assert root in exceptions
    strays = {f"{e.__module__}.{e.__qualname__}" for e in exceptions if not issubclass(e, root)}
    assert strays == set()


def test_no_exception_name_means_two_things_across_packages() -> None:
    by_name: dict[str, set[str]] = {}
    for package in ROOTS:
        for exc in defined_exceptions(package):
            by_name.setdefault(exc.__name__, set()).add(exc.__module__)
    clashes = {name: mods for name, mods in by_name.items() if len(mods) > 1}
    assert clashes == SAME_MEANING_ACROSS_THE_WIRE


@pytest.mark.parametrize("package", list(ROOTS), ids=lambda p: p.__name__)
def test_the_root_module_draws_every_exception_in_its_tree(package: ModuleType) -> None:
    tree = inspect.getdoc(inspect.getmodule(ROOTS[package])) or ""
    drawn = set(re.findall(r"^\s*(?:[│ ]*[├└]── )?(\w+)", tree, re.MULTILINE))
    public = [e.__qualname__ for e in defined_exceptions(package) if not e.__name__.startswith("_")]
    missing = [name for name in public if name not in drawn]
    assert missing == []
