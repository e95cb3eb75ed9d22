"""The node service's one handle on the consortium network: transport and gossip wired.

The node holds one :class:`Network` per process::

    network = Network.from_settings(node_toml.p2p, chain_id,
                                    on_transaction=..., on_consensus=..., on_other=...,
                                    is_validator=lambda address: address in current_set)
    await network.start()
    network.publish_transaction(raw)              # after the local pool accepted it
    network.publish_consensus(*encode_message(m)) # for every qbft Broadcast action
    network.send(peer, code, payload)             # block-sync answers (codes 0x20-0x2f)
    network.broadcast(code, payload)              # block-sync announcements, not relayed
    network.validators_changed()                  # after a block changed the set
    network.peer_count                            # net_peerCount
    await network.stop()

Handlers run on the event loop, in frame order per peer. ``on_transaction`` and
``on_consensus`` return whether the content was acceptable; only then is it relayed.
:class:`NetworkPort` is that surface as an interface; :mod:`.memory` implements it in
memory, so that consensus drivers can be tested in one process without TLS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from govchain_node.p2p.gossip import (
    ConsensusHandler,
    Gossip,
    OtherHandler,
    TransactionHandler,
)
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.settings import P2pSettings, transport_config
from govchain_node.p2p.transport import PeerHandler, PeerStatus, Transport, TransportConfig


def _ignore_other(peer: bytes, code: int, payload: bytes) -> None:
    return None


class NetworkPort(Protocol):
    """What a node's consensus uses of the network (:class:`Network` in production)."""

    @property
    def peer_count(self) -> int: ...

    async def start(self) -> int:
        """Listen and connect; returns the listening port (0 if none)."""

    async def stop(self) -> None: ...

    def publish_transaction(self, raw: bytes) -> int: ...

    def publish_consensus(self, code: int, payload: bytes) -> int: ...

    def broadcast(self, code: int, payload: bytes) -> int: ...

    def send(self, peer: bytes, code: int, payload: bytes) -> bool: ...

    def validators_changed(self) -> int: ...


class Connect(Protocol):
    """Builds a node's network with its handlers (``Network.from_settings`` bound to the
    node's settings, or :meth:`.memory.MemoryHub.connect`)."""

    def __call__(
        self,
        *,
        on_transaction: TransactionHandler,
        on_consensus: ConsensusHandler,
        on_other: OtherHandler,
        on_peer: PeerHandler,
        is_validator: Callable[[bytes], bool],
    ) -> NetworkPort: ...


class Network:
    """See the module docstring."""

    def __init__(
        self,
        config: TransportConfig,
        *,
        on_transaction: TransactionHandler,
        on_consensus: ConsensusHandler,
        on_other: OtherHandler = _ignore_other,
        on_peer: PeerHandler | None = None,
        is_validator: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.gossip = Gossip(
            on_transaction=on_transaction, on_consensus=on_consensus, on_other=on_other
        )
        self._is_validator = is_validator
        self.transport = Transport(
            config,
            self.gossip.handle_frame,
            on_peer=on_peer,
            extra_allowed=self._current_validator if is_validator else None,
        )
        self.gossip.attach(self.transport)

    @classmethod
    def from_settings(
        cls,
        settings: P2pSettings,
        chain_id: int,
        *,
        on_transaction: TransactionHandler,
        on_consensus: ConsensusHandler,
        on_other: OtherHandler = _ignore_other,
        on_peer: PeerHandler | None = None,
        is_validator: Callable[[bytes], bool] | None = None,
        tuning: Mapping[str, Any] | None = None,
    ) -> Network:
        """Load the keys and TLS material ``settings`` name; ``tuning``: transport bounds."""
        return cls(
            transport_config(settings, chain_id, **dict(tuning or {})),
            on_transaction=on_transaction,
            on_consensus=on_consensus,
            on_other=on_other,
            on_peer=on_peer,
            is_validator=is_validator,
        )

    def _current_validator(self, identity: NodeIdentity) -> bool:
        """Validators voted in after genesis may connect without a static entry."""
        return (
            identity.role is Role.VALIDATOR
            and self._is_validator is not None
            and self._is_validator(identity.address)
        )

    @property
    def identity(self) -> NodeIdentity:
        return self.transport.config.identity

    async def start(self) -> int:
        """Listen and dial; returns the p2p port."""
        return await self.transport.start()

    async def stop(self) -> None:
        await self.transport.stop()

    def publish_transaction(self, raw: bytes) -> int:
        return self.gossip.publish_transaction(raw)

    def publish_consensus(self, code: int, payload: bytes) -> int:
        return self.gossip.publish_consensus(code, payload)

    def send(self, peer: bytes, code: int, payload: bytes) -> bool:
        return self.transport.send(peer, code, payload)

    def broadcast(self, code: int, payload: bytes) -> int:
        """A frame to every connected peer, not relayed (block sync's announcements)."""
        return self.transport.broadcast(code, payload)

    def validators_changed(self) -> int:
        """Drop peers that are neither static nor validators any more; returns how many."""
        return self.transport.revalidate()

    @property
    def peer_count(self) -> int:
        return len(self.transport.connected_peers())

    def peer_status(self) -> list[PeerStatus]:
        return self.transport.peer_status()

    def status_json(self) -> list[dict[str, Any]]:
        """Peers as JSON values, e.g. for an ``admin_peers``-style RPC method."""
        return [
            {
                "address": "0x" + s.address.hex(),
                "role": s.role.value if s.role else None,
                "endpoint": s.endpoint,
                "connected": s.connected,
                "outbound": s.outbound,
                "connected_since": s.connected_since,
                "frames_sent": s.frames_sent,
                "frames_received": s.frames_received,
                "frames_dropped": s.frames_dropped,
                "connects": s.connects,
                "last_error": s.last_error,
            }
            for s in self.peer_status()
        ]
