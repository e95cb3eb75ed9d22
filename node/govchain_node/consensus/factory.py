"""One consensus per node: the ``--dev`` producer, or the QBFT driver with a ``[p2p]`` section.

Both satisfy :class:`Consensus`, the whole surface the node uses; a consortium node builds
neither a :class:`~.dev.DevEngine` nor a :class:`~.producer.BlockProducer`, and a
``--dev`` node never loads the p2p stack (the driver is imported only when needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from govchain_node.config import NodeConfig
from govchain_node.consensus.dev import DevEngine
from govchain_node.consensus.host import ConsensusHost
from govchain_node.consensus.producer import BlockProducer
from govchain_node.consensus.voting import VoteProposals
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import Account

if TYPE_CHECKING:
    from govchain_node.p2p.settings import P2pSettings


class Consensus(Protocol):
    """What the node runs to extend its chain."""

    @property
    def address(self) -> bytes:
        """The address this node seals or votes with."""

    @property
    def votes(self) -> VoteProposals | None:
        """This validator's vote proposals (``None``: votes need a consortium)."""

    @property
    def peer_count(self) -> int:
        """Connected peers (0 without a network)."""

    def transaction_submitted(self, raw: bytes) -> None:
        """A client's transaction entered the pool (``raw`` as submitted)."""

    async def start(self) -> None:
        """Start producing (and, in a consortium, networking) on the running loop."""

    async def stop(self) -> None:
        """Stop and wait for every task started by :meth:`start`."""


def build_consensus(
    host: ConsensusHost,
    config: NodeConfig,
    genesis: GenesisSpec,
    validator: Account,
    p2p: P2pSettings | None,
) -> Consensus:
    """The QBFT driver when ``p2p`` is given, else the ``--dev`` producer sealing alone."""
    if p2p is None:
        return BlockProducer(host, DevEngine(validator), config)
    from govchain_node.consensus.driver import consortium_driver

    return consortium_driver(host, config, genesis, p2p)
