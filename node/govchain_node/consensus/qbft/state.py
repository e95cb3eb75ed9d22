"""The immutable state of one validator's QBFT core, and the part of it that is persisted.

Only :class:`Persisted` must survive a crash: the round a validator has entered (so it
never signs anything in that round again after a restart) and its prepared certificate
(so a validator that sent a COMMIT keeps reporting that value in its round changes, which
is what makes a later round re-propose it). Everything else is rebuilt from the network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from govchain_node.consensus.qbft.messages import (
    CommitPayload,
    PreparePayload,
    Proposal,
    RoundChange,
    RoundChangePayload,
    Signed,
)


@dataclasses.dataclass(frozen=True, slots=True)
class PreparedCertificate:
    """A quorum of PREPAREs for ``digest`` in ``round``, and the block as proposed there."""

    round: int
    digest: bytes
    block: bytes
    prepares: tuple[Signed[PreparePayload], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Persisted:
    """What the node must store durably, and hand back to :func:`~.core.restore`."""

    height: int
    round: int
    prepared: PreparedCertificate | None


@dataclasses.dataclass(frozen=True, slots=True)
class AcceptedProposal:
    """The proposal this validator accepted in a round (at most one per round)."""

    proposal: Proposal
    digest: bytes
    seal_hash: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class RoundState:
    """Messages of one round; at most one per sender and kind (the first one wins)."""

    accepted: AcceptedProposal | None = None
    prepares: Mapping[bytes, Signed[PreparePayload]] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    commits: Mapping[bytes, CommitPayload] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    proposed: bool = False
    requested: tuple[Signed[RoundChangePayload], ...] | None = None
    """Set once a block was requested: the round-change justification to send with it."""
    sent_commit: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class NodeState:
    """A validator's whole consensus state at one height. ``height == 0`` means idle
    (waiting for the first :class:`~.events.NewChainHead`)."""

    height: int = 0
    round: int = 0
    validators: tuple[bytes, ...] = ()
    parent_proposer: bytes = b""
    rounds: Mapping[int, RoundState] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    round_changes: Mapping[bytes, RoundChange] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    """The latest valid ROUND-CHANGE of each validator (higher rounds replace lower)."""
    prepared: PreparedCertificate | None = None
    finalised: bool = False
    resume: Persisted | None = None
    ignored: Mapping[str, int] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    """Diagnostics: how many inputs were ignored, by reason."""

    def persisted(self) -> Persisted:
        return Persisted(self.height, self.round, self.prepared)

    def round_state(self, round_: int) -> RoundState:
        return self.rounds.get(round_) or RoundState()
