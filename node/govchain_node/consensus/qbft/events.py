"""Inputs (events) and outputs (actions) of the QBFT state machine.

The node turns the world into events (a chain head was imported, a message arrived, a
timer fired, a block was built) and performs the actions the core returns, *in order*:
a :class:`Persist` must be durable (fsync'd) before any later :class:`Broadcast` in the
same list is sent, because those messages depend on it.
"""

from __future__ import annotations

import dataclasses

from govchain_node.consensus.qbft.messages import Message
from govchain_node.consensus.qbft.state import Persisted

# --------------------------------------------------------------------------- events


@dataclasses.dataclass(frozen=True, slots=True)
class NewChainHead:
    """Block ``height`` was imported; consensus moves to ``height + 1``.

    ``validators`` is the set after that block, i.e. after its header vote (the node's
    vote tally; the core sorts it by address, as Besu does, since genesis lists need not
    be sorted);
    ``proposer`` is the block's proposer (its coinbase), from which the next proposers are
    derived (:func:`govchain_node.consensus.qbft.validators.proposer`).
    """

    height: int
    validators: tuple[bytes, ...]
    proposer: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class BlockCandidate:
    """The node's answer to :class:`RequestBlock`: a block for ``height`` whose extraData
    carries ``round`` and no seals. The node builds it no earlier than the parent's
    timestamp plus the block period, so the core needs no block timer."""

    height: int
    round: int
    block: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class MessageReceived:
    """A decoded message from a peer (signature not yet checked: the core checks it)."""

    message: Message


@dataclasses.dataclass(frozen=True, slots=True)
class RoundTimerExpired:
    """The timer started by :class:`StartRoundTimer` for ``(height, round)`` fired."""

    height: int
    round: int


Event = NewChainHead | BlockCandidate | MessageReceived | RoundTimerExpired

# --------------------------------------------------------------------------- actions


@dataclasses.dataclass(frozen=True, slots=True)
class Broadcast:
    """Send ``message`` to every *other* validator; the core already applied it to itself."""

    message: Message


@dataclasses.dataclass(frozen=True, slots=True)
class StartRoundTimer:
    """(Re)start the single round timer; any earlier one is cancelled."""

    height: int
    round: int
    duration: float


@dataclasses.dataclass(frozen=True, slots=True)
class RequestBlock:
    """Build a block for ``height`` with ``round`` in its extraData; answer with
    :class:`BlockCandidate`. Only emitted when this node is the round's proposer."""

    height: int
    round: int


@dataclasses.dataclass(frozen=True, slots=True)
class CommitBlock:
    """``block`` is final: write ``seals`` into its extraData and import it; then send
    :class:`NewChainHead`. The seals are a quorum of valid commit seals, by signer."""

    height: int
    round: int
    block: bytes
    seals: tuple[bytes, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Persist:
    """Durably store ``record`` (replacing the previous one) before the next action."""

    record: Persisted


Action = Broadcast | StartRoundTimer | RequestBlock | CommitBlock | Persist
