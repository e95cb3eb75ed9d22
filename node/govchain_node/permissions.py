"""Who may send transactions: a pluggable predicate over the sender address.

The node combines predicates with :class:`AnyOf`: the genesis allow-list and the
validators today; an ``IssuerRegistry`` predicate (active issuers, read from contract
state at the head) can be added without touching the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from eth_utils.crypto import keccak

#: ``IssuerRegistry.isActive(address)``
IS_ACTIVE_SELECTOR = keccak(text="isActive(address)")[:4]


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


StaticCall = Callable[[bytes, bytes], bytes]
"""``(to, calldata) -> return data`` at the head; raises when the call fails."""


class RegistryPermission:
    """Active issuers of the consortium's IssuerRegistry, read at the head block.

    Issuers are added and removed by the members' votes on chain, so the node asks
    the contract instead of a static list.  Answers are cached until the head
    changes (a vote takes effect with the block that executes it).  Without a
    registry, or when the call fails, nobody is admitted through this predicate: a
    broken registry must not open the chain.
    """

    def __init__(self, call: StaticCall, head: Callable[[], bytes]) -> None:
        self._call = call
        self._head = head
        self.registry: bytes | None = None
        self._cache: dict[bytes, bool] = {}
        self._cached_head = b""

    def set_registry(self, address: bytes | None) -> None:
        if address is not None and len(address) != 20:
            raise ValueError("registry address must be 20 bytes")
        self.registry = address
        self._cache.clear()

    def allows(self, sender: bytes) -> bool:
        if self.registry is None:
            return False
        head = self._head()
        if head != self._cached_head:
            self._cache.clear()
            self._cached_head = head
        cached = self._cache.get(sender)
        if cached is None:
            cached = self._cache[sender] = self._is_active(self.registry, sender)
        return cached

    def _is_active(self, registry: bytes, sender: bytes) -> bool:
        try:
            output = self._call(registry, IS_ACTIVE_SELECTOR + sender.rjust(32, b"\x00"))
        except Exception:  # any failure of the call denies: never fail open
            return False
        return len(output) == 32 and output[-1] == 1 and not any(output[:-1])
