"""govchain's compiled contracts (ABI + bytecode), so that running needs no compiler.

The artifacts in ``artifacts/*.json`` are built from ``contracts/src`` by
``python -m govchain_contracts.build`` and committed; a test rebuilds them and fails if
they differ. This module only reads them (stdlib + eth-utils for selectors)::

    from govchain_contracts import load, Role

    anchor = load("AnchorRegistry")
    anchor.abi, anchor.bytecode, anchor.deployed_bytecode
    decode_error(revert_data)                # ("NotActiveIssuer", ("0x…",)) or None

The role bits, status states and proposal kinds mirror the Solidity enums and
constants; keep them in sync with the sources (a test checks them).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak

__all__ = [
    "CONTRACT_NAMES",
    "Artifact",
    "ContractName",
    "ErrorSpec",
    "ProposalKind",
    "ProposalStatus",
    "Role",
    "State",
    "canonical_type",
    "decode_error",
    "load",
    "signature",
]

ContractName = Literal["AnchorRegistry", "IssuerRegistry", "StatusRegistry"]
CONTRACT_NAMES: tuple[ContractName, ...] = ("AnchorRegistry", "IssuerRegistry", "StatusRegistry")

ABIEntry = Mapping[str, Any]


class Role(enum.IntEnum):
    """IssuerRegistry role bits; combine them with ``|`` (the result is a plain int).

    Deliberately not an ``IntFlag``: flag values are iterable in Python 3.11+, and
    web3.py would then encode a role as an array instead of a ``uint8``."""

    CERTIFICATE = 1
    REGISTER = 2
    IOT = 4
    DATASET = 8


class State(enum.IntEnum):
    """StatusRegistry.State: the status of a leaf."""

    VALID = 0
    SUSPENDED = 1
    REVOKED = 2
    SUPERSEDED = 3


class ProposalKind(enum.IntEnum):
    """IssuerRegistry.ProposalKind."""

    ADD_MEMBER = 0
    REMOVE_MEMBER = 1
    SET_ISSUER = 2
    REMOVE_ISSUER = 3
    CHANGE_ROLES = 4


class ProposalStatus(enum.IntEnum):
    """IssuerRegistry.ProposalStatus."""

    NONE = 0
    OPEN = 1
    EXECUTED = 2
    CANCELLED = 3


def canonical_type(param: ABIEntry) -> str:
    """The ABI type of a parameter as used in signatures, tuples expanded."""
    kind: str = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(entry: ABIEntry) -> str:
    """``name(type,...)`` of an ABI function, event or error."""
    return f"{entry['name']}({','.join(canonical_type(p) for p in entry['inputs'])})"


@dataclass(frozen=True)
class ErrorSpec:
    """A custom error: its name, argument names and ABI types."""

    name: str
    arg_names: tuple[str, ...]
    arg_types: tuple[str, ...]

    @property
    def selector(self) -> bytes:
        return keccak(text=f"{self.name}({','.join(self.arg_types)})")[:4]


@dataclass(frozen=True)
class Artifact:
    """One compiled contract, as committed in ``artifacts/<name>.json``."""

    name: str
    abi: tuple[ABIEntry, ...]
    bytecode: bytes
    deployed_bytecode: bytes
    metadata: str
    compiler_version: str
    settings: Mapping[str, Any]
    source_hashes: Mapping[str, str]
    errors: Mapping[bytes, ErrorSpec] = field(repr=False)
    """The contract's custom errors by 4-byte selector."""

    def function(self, name: str) -> ABIEntry:
        """The ABI entry of the function ``name`` (the contracts have no overloads)."""
        return self._entry("function", name)

    def event(self, name: str) -> ABIEntry:
        """The ABI entry of the event ``name``."""
        return self._entry("event", name)

    def _entry(self, kind: str, name: str) -> ABIEntry:
        for entry in self.abi:
            if entry["type"] == kind and entry.get("name") == name:
                return entry
        raise KeyError(f"{self.name} has no {kind} {name!r}")


def _error_specs(abi: tuple[ABIEntry, ...]) -> dict[bytes, ErrorSpec]:
    specs = (
        ErrorSpec(
            name=entry["name"],
            arg_names=tuple(p["name"] for p in entry["inputs"]),
            arg_types=tuple(canonical_type(p) for p in entry["inputs"]),
        )
        for entry in abi
        if entry["type"] == "error"
    )
    return {spec.selector: spec for spec in specs}


def load(name: ContractName | str) -> Artifact:
    """Load a committed artifact (cached); raise ``KeyError`` for an unknown contract name.

    ``name`` is one of ``CONTRACT_NAMES``; plain strings are accepted for callers that
    take the name from configuration or an ABI subset."""
    if name not in CONTRACT_NAMES:
        raise KeyError(f"unknown contract {name!r}; known: {', '.join(CONTRACT_NAMES)}")
    return _load(name)


@cache
def _load(name: str) -> Artifact:
    text = resources.files(__name__).joinpath("artifacts", f"{name}.json").read_text("utf-8")
    data = json.loads(text)
    abi = tuple(data["abi"])
    return Artifact(
        name=data["contractName"],
        abi=abi,
        bytecode=bytes.fromhex(data["bytecode"].removeprefix("0x")),
        deployed_bytecode=bytes.fromhex(data["deployedBytecode"].removeprefix("0x")),
        metadata=data["metadata"],
        compiler_version=data["compiler"]["version"],
        settings=data["settings"],
        source_hashes={source: entry["sha256"] for source, entry in data["sources"].items()},
        errors=_error_specs(abi),
    )


def decode_error(data: bytes) -> tuple[str, tuple[Any, ...]] | None:
    """Name and arguments of a govchain custom error in revert ``data``; None if the data
    is not one (empty, ``Error(string)``, ``Panic(uint256)``, another contract's error)."""
    for name in CONTRACT_NAMES:
        spec = load(name).errors.get(bytes(data[:4]))
        if spec is not None:
            try:
                return spec.name, tuple(decode(list(spec.arg_types), bytes(data[4:])))
            except DecodingError:  # malformed arguments: not one of ours after all
                return None
    return None
