"""The interface between block production and a consensus engine.

The node's producer asks the engine *whether* it may propose now and *how* to seal.
``--dev`` answers "always, alone"; the QBFT engine answers from its pure state
machine (proposer rotation, rounds, commit-seal quorum) and may return ``None`` from
:meth:`ConsensusEngine.seal` while waiting for commits.
"""

from __future__ import annotations

from typing import Protocol

from eth.abc import BlockHeaderAPI

from govchain_node.codec.extra_data import ExtraData


class ConsensusEngine(Protocol):
    @property
    def coinbase(self) -> bytes:
        """Address credited as the block's proposer (``miner``)."""

    def may_propose(self, parent: BlockHeaderAPI) -> bool:
        """Whether this node proposes the block after ``parent`` now."""

    def proposal_extra(self, parent: BlockHeaderAPI) -> ExtraData:
        """extraData for a new proposal on ``parent`` (no seals)."""

    def seal(self, unsealed: BlockHeaderAPI) -> tuple[bytes, ...]:
        """Commit seals for the unsealed header (its extraData has an empty seal list)."""

    def verify(self, header: BlockHeaderAPI, parent: BlockHeaderAPI) -> None:
        """Raise :class:`govchain_node.errors.InvalidBlockError` unless ``header`` is sealed
        by a quorum of ``parent``'s validators."""
