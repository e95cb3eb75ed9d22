"""Who may send transactions: a pluggable predicate over the sender address.

The node combines predicates with :class:`AnyOf`: the genesis allow-list and the
validators today; an ``IssuerRegistry`` predicate (active issuers, read from contract
state at the head) can be added without touching the pool.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class SendPermission(Protocol):
    def allows(self, sender: bytes) -> bool:
        """Whether ``sender`` (20-byte address) may have transactions in the pool."""


class AllowList:
    """A fixed set of addresses."""

    def __init__(self, addresses: Iterable[bytes]) -> None:
        self._addresses = frozenset(addresses)

    def allows(self, sender: bytes) -> bool:
        return sender in self._addresses

    def __len__(self) -> int:
        return len(self._addresses)


class AnyOf:
    """Allows a sender when any of the predicates does."""

    def __init__(self, *predicates: SendPermission) -> None:
        self._predicates = predicates

    def allows(self, sender: bytes) -> bool:
        return any(p.allows(sender) for p in self._predicates)


class AllowAll:
    """No permissioning (used by tests and benchmarks of the open EVM behaviour)."""

    def allows(self, sender: bytes) -> bool:
        return True
