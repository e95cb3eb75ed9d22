"""What the block-producing engines need of the node, and the one routine after a commit.

The ``--dev`` producer and the QBFT driver both build blocks from the node's pool on its
ledger and hand each committed block to the node's commit listener. They see the node
only through :class:`ConsensusHost`, so neither imports the node that runs them
(:mod:`govchain_node.service` builds one of them through :mod:`.factory`).
"""

from __future__ import annotations

import logging
from typing import Protocol

from govchain_node.chain import BuiltBlock, CommittedBlock, Ledger
from govchain_node.txpool import TxPool

log = logging.getLogger(__name__)


class ConsensusHost(Protocol):
    """The node as a block producer sees it: ledger, pool and the commit listener."""

    @property
    def ledger(self) -> Ledger:
        """The chain the engine builds on and commits to."""

    @property
    def pool(self) -> TxPool:
        """Where proposals take their transactions from."""

    def nonce_of(self, address: bytes) -> int:
        """The account's nonce at the head (orders the pool's executable transactions)."""

    def committed(self, block: CommittedBlock) -> None:
        """``block`` became the head: publish it to subscribers and listeners."""

    def transaction_pooled(self, tx_hash: bytes) -> None:
        """A transaction entered the pool (from a client or a peer)."""


def settle_commit(host: ConsensusHost, built: BuiltBlock, committed: CommittedBlock) -> None:
    """After a block is committed: drop the transactions it refused for good, tell the
    listeners, and prune the pool of what the block included (nonces moved on)."""
    for skipped in built.skipped:
        if skipped.permanent:
            log.info("dropping transaction 0x%s: %s", skipped.tx_hash.hex(), skipped.reason)
            host.pool.drop(skipped.tx_hash)
    host.committed(committed)
    host.pool.prune(set(committed.senders), host.nonce_of)
