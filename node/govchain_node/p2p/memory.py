"""An in-memory consortium network: :class:`~.network.NetworkPort` without TLS or sockets.

Every node of a :class:`MemoryHub` is connected to every other started node. Frames are
delivered on the event loop with ``call_soon``, in send order, never re-entrantly (as the
TLS transport delivers them), so consensus drivers can run together in one process and
a test can cut a node off (:meth:`MemoryHub.partition`). Only for tests: no gossip
relaying (everybody hears everybody), no authentication, no bounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from govchain_node.p2p.gossip import ConsensusHandler, OtherHandler, TransactionHandler
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.transport import PeerHandler


class MemoryHub:
    """The wire between the in-memory networks of one test."""

    def __init__(self) -> None:
        self._started: dict[bytes, MemoryNetwork] = {}
        self._cut: set[bytes] = set()

    def connect(self, address: bytes) -> Callable[..., MemoryNetwork]:
        """A ``Connect`` for the node ``address`` (see :class:`~.network.Connect`)."""

        def build(
            *,
            on_transaction: TransactionHandler,
            on_consensus: ConsensusHandler,
            on_other: OtherHandler,
            on_peer: PeerHandler,
            is_validator: Callable[[bytes], bool],
        ) -> MemoryNetwork:
            return MemoryNetwork(self, address, on_transaction, on_consensus, on_other, on_peer)

        return build

    def partition(self, address: bytes, cut: bool = True) -> None:
        """Drop every frame from and to ``address`` (until called with ``cut=False``)."""
        if cut:
            self._cut.add(address)
        else:
            self._cut.discard(address)

    def peers_of(self, address: bytes) -> list[MemoryNetwork]:
        if address in self._cut:
            return []
        return [n for a, n in self._started.items() if a != address and a not in self._cut]

    def started(self, network: MemoryNetwork) -> None:
        for peer in self.peers_of(network.address):
            peer.peer_changed(network.address, True)
            network.peer_changed(peer.address, True)
        self._started[network.address] = network

    def stopped(self, network: MemoryNetwork) -> None:
        self._started.pop(network.address, None)
        for peer in self.peers_of(network.address):
            peer.peer_changed(network.address, False)


class MemoryNetwork:
    """One node's side of a :class:`MemoryHub`."""

    def __init__(
        self,
        hub: MemoryHub,
        address: bytes,
        on_transaction: TransactionHandler,
        on_consensus: ConsensusHandler,
        on_other: OtherHandler,
        on_peer: PeerHandler,
    ) -> None:
        self._hub = hub
        self.address = address
        self._on_transaction = on_transaction
        self._on_consensus = on_consensus
        self._on_other = on_other
        self._on_peer = on_peer

    @property
    def peer_count(self) -> int:
        return len(self._hub.peers_of(self.address))

    async def start(self) -> int:
        self._hub.started(self)
        return 0

    async def stop(self) -> None:
        self._hub.stopped(self)

    def peer_changed(self, peer: bytes, connected: bool) -> None:
        identity = NodeIdentity(peer, Role.VALIDATOR)
        asyncio.get_running_loop().call_soon(self._on_peer, identity, connected)

    def _to_peers(self, deliver: Callable[[MemoryNetwork], object]) -> int:
        peers = self._hub.peers_of(self.address)
        loop = asyncio.get_running_loop()
        for peer in peers:
            loop.call_soon(deliver, peer)
        return len(peers)

    def publish_transaction(self, raw: bytes) -> int:
        return self._to_peers(lambda peer: peer._on_transaction(raw, self.address))

    def publish_consensus(self, code: int, payload: bytes) -> int:
        return self._to_peers(lambda peer: peer._on_consensus(code, payload, self.address))

    def broadcast(self, code: int, payload: bytes) -> int:
        return self._to_peers(lambda peer: peer._on_other(self.address, code, payload))

    def send(self, peer: bytes, code: int, payload: bytes) -> bool:
        target = next((n for n in self._hub.peers_of(self.address) if n.address == peer), None)
        if target is None:
            return False
        asyncio.get_running_loop().call_soon(target._on_other, self.address, code, payload)
        return True

    def validators_changed(self) -> int:
        return 0
