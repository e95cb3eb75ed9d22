"""Gossip of transactions and consensus messages over the transport, deduplicated by hash.

Why relay when the mesh is full: a link between two validators may be down (a cut cable,
one side's firewall) while both still reach a third. Each node forwards every *new*
transaction and QBFT message to all peers except the one it came from, so a message
reaches every node connected to the sender's component. The seen-set bounds the cost:
each node handles each message once, and forgets the oldest hashes beyond ``capacity``.

Transactions are keyed by their hash (keccak of the raw bytes, the Ethereum tx hash);
consensus messages by ``keccak(code ‖ payload)``. Other frame codes (block sync) are
passed straight to ``on_other`` without relaying. Handlers run on the event loop and
must not block; a handler that rejects the content (invalid tx, undecodable message)
returns ``False`` to stop the relay, so garbage does not spread.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Collection
from typing import Protocol

from govchain_node.p2p import codes
from govchain_node.signing import keccak256

DEFAULT_SEEN_CAPACITY = 200_000

#: ``(raw transaction, from_peer or None if local) -> relay?``
TransactionHandler = Callable[[bytes, bytes | None], bool]
#: ``(code, payload, from_peer) -> relay?``
ConsensusHandler = Callable[[int, bytes, bytes], bool]
#: ``(from_peer, code, payload)`` for non-gossip codes
OtherHandler = Callable[[bytes, int, bytes], None]


class Broadcaster(Protocol):
    """The part of :class:`~govchain_node.p2p.transport.Transport` gossip needs."""

    def broadcast(self, code: int, payload: bytes, *, exclude: Collection[bytes] = ()) -> int:
        """Queue a frame for every connected peer except ``exclude``."""


class SeenSet:
    """A bounded set of hashes: insertion order, oldest evicted first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._items: collections.OrderedDict[bytes, None] = collections.OrderedDict()

    def add(self, key: bytes) -> bool:
        """Remember ``key``; ``True`` if it was new."""
        if key in self._items:
            return False
        self._items[key] = None
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


def _accept_all_tx(raw: bytes, peer: bytes | None) -> bool:
    return True


def _accept_all_consensus(code: int, payload: bytes, peer: bytes) -> bool:
    return True


def _ignore_other(peer: bytes, code: int, payload: bytes) -> None:
    return None


class Gossip:
    """Deduplicating relay on top of a :class:`Transport`; see the module docstring.

    Wire it as the transport's message handler::

        gossip = Gossip(on_transaction=..., on_consensus=...)
        transport = Transport(config, gossip.handle_frame)
        gossip.attach(transport)
    """

    def __init__(
        self,
        *,
        on_transaction: TransactionHandler = _accept_all_tx,
        on_consensus: ConsensusHandler = _accept_all_consensus,
        on_other: OtherHandler = _ignore_other,
        capacity: int = DEFAULT_SEEN_CAPACITY,
    ) -> None:
        self._on_transaction = on_transaction
        self._on_consensus = on_consensus
        self._on_other = on_other
        self._seen = SeenSet(capacity)
        self._transport: Broadcaster | None = None
        self.duplicates = 0

    def attach(self, transport: Broadcaster) -> None:
        self._transport = transport

    def publish_transaction(self, raw: bytes) -> int:
        """Send a locally submitted transaction to all peers; returns how many (0 if seen)."""
        if not self._seen.add(keccak256(raw)):
            return 0
        return self._relay(codes.TRANSACTION, raw, exclude=None)

    def publish_consensus(self, code: int, payload: bytes) -> int:
        """Send our own QBFT message (``encode_message`` output) to all peers."""
        if code not in codes.QBFT_CODES:
            raise ValueError(f"{code:#04x} is not a QBFT message code")
        self._seen.add(keccak256(bytes((code,)) + payload))
        return self._relay(code, payload, exclude=None)

    def handle_frame(self, peer: bytes, code: int, payload: bytes) -> None:
        """The transport's ``on_message``: dedupe, deliver, relay."""
        if code == codes.TRANSACTION:
            if not self._seen.add(keccak256(payload)):
                self.duplicates += 1
                return
            if self._on_transaction(payload, peer):
                self._relay(code, payload, exclude=peer)
        elif code in codes.QBFT_CODES:
            if not self._seen.add(keccak256(bytes((code,)) + payload)):
                self.duplicates += 1
                return
            if self._on_consensus(code, payload, peer):
                self._relay(code, payload, exclude=peer)
        else:
            self._on_other(peer, code, payload)

    def _relay(self, code: int, payload: bytes, exclude: bytes | None) -> int:
        if self._transport is None:
            return 0
        return self._transport.broadcast(
            code, payload, exclude=() if exclude is None else (exclude,)
        )
