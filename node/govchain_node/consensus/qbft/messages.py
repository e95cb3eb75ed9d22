"""Immutable QBFT message values; their wire encoding lives in :mod:`.encoding`.

Every message is a signed payload plus, for PROPOSAL and ROUND-CHANGE, piggybacked
justification. Payloads name the consensus instance by ``height`` (Besu's "sequence")
and ``round``. ``digest`` names the block as proposed in that round: in Besu the header
hash with an empty seal list (round included), so a re-proposal in a later round has a
new digest and justifications compare it with the old round substituted back; ``seal`` in
a COMMIT is a signature over that commit-seal hash and is copied into the block.

Blocks are opaque ``bytes`` here (one RLP item); the core learns their height, digest and
seal hash through :class:`govchain_node.consensus.qbft.core.BlockOps`.
"""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

PROPOSAL = 0x12
PREPARE = 0x13
COMMIT = 0x14
ROUND_CHANGE = 0x15


@dataclasses.dataclass(frozen=True, slots=True)
class ProposalPayload:
    height: int
    round: int
    block: bytes

    code = PROPOSAL


@dataclasses.dataclass(frozen=True, slots=True)
class PreparePayload:
    height: int
    round: int
    digest: bytes

    code = PREPARE


@dataclasses.dataclass(frozen=True, slots=True)
class CommitPayload:
    height: int
    round: int
    digest: bytes
    seal: bytes

    code = COMMIT


@dataclasses.dataclass(frozen=True, slots=True)
class PreparedRound:
    """Besu's ``PreparedRoundMetadata``: the round and digest a sender prepared."""

    round: int
    digest: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class RoundChangePayload:
    height: int
    round: int
    prepared: PreparedRound | None

    code = ROUND_CHANGE


Payload = ProposalPayload | PreparePayload | CommitPayload | RoundChangePayload
P = TypeVar("P", ProposalPayload, PreparePayload, CommitPayload, RoundChangePayload)


@dataclasses.dataclass(frozen=True, slots=True)
class Signed(Generic[P]):
    """A payload and the 65-byte signature over its signing hash (see :mod:`.encoding`)."""

    payload: P
    signature: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Proposal:
    """PROPOSAL (0x12); for round > 0 justified by round changes and a prepare certificate."""

    signed: Signed[ProposalPayload]
    round_changes: tuple[Signed[RoundChangePayload], ...] = ()
    prepares: tuple[Signed[PreparePayload], ...] = ()

    code = PROPOSAL


@dataclasses.dataclass(frozen=True, slots=True)
class Prepare:
    """PREPARE (0x13)."""

    signed: Signed[PreparePayload]

    code = PREPARE


@dataclasses.dataclass(frozen=True, slots=True)
class Commit:
    """COMMIT (0x14), carrying the sender's commit seal."""

    signed: Signed[CommitPayload]

    code = COMMIT


@dataclasses.dataclass(frozen=True, slots=True)
class RoundChange:
    """ROUND-CHANGE (0x15); if the sender prepared, the block and its prepare certificate."""

    signed: Signed[RoundChangePayload]
    prepared_block: bytes | None = None
    prepares: tuple[Signed[PreparePayload], ...] = ()

    code = ROUND_CHANGE


Message = Proposal | Prepare | Commit | RoundChange
