"""Every exception class a distribution defines hangs under that distribution's one root.

The notary's tree is checked by its own tests; this covers the other four.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import govchain_client
import govchain_contracts
import govchain_core
import govchain_node
from govchain_client.errors import ClientError
from govchain_contracts.errors import ContractsError
from govchain_core.errors import CoreError
from govchain_node.errors import NodeError

ROOTS: dict[ModuleType, type[Exception]] = {
    govchain_core: CoreError,
    govchain_client: ClientError,
    govchain_node: NodeError,
    govchain_contracts: ContractsError,
}


def defined_exceptions(package: ModuleType) -> list[type[BaseException]]:
    """Exception classes defined (not merely imported) in the package's modules."""
    found: list[type[BaseException]] = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
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
    strays = [f"{e.__module__}.{e.__qualname__}" for e in exceptions if not issubclass(e, root)]
    assert strays == []


def test_no_exception_name_means_two_things_across_packages() -> None:
    by_name: dict[str, set[str]] = {}
    for package in ROOTS:
        for exc in defined_exceptions(package):
            by_name.setdefault(exc.__name__, set()).add(exc.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}
