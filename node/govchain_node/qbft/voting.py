"""Validator-set changes by header votes (Besu ``VoteTallyUpdater`` semantics, QBFT blocks).

Each block's proposer may cast one vote in its extraData: add or drop one address. A vote
counts once per (voter, recipient); a later vote of the same voter for the same recipient
replaces the earlier. When the votes *in the same direction* for a recipient exceed half
of the current validators (``votes > n/2``, i.e. more than 50 %), the change is applied, and
every pending vote concerning that recipient is discarded. Votes cast by a validator
that is dropped are discarded too. At every epoch boundary (block number divisible by
``epoch_length``) all pending votes are discarded; the validator set stays.

The tally is an immutable value: :func:`apply_block` returns a new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from govchain_node.qbft.extra_data import Vote
from govchain_node.qbft.validators import sort_validators


@dataclasses.dataclass(frozen=True)
class VoteTally:
    """The validator set after some block and the votes pending at that point."""

    validators: tuple[bytes, ...]
    votes: Mapping[tuple[bytes, bytes], bool] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    """(voter, recipient) → add?"""

    def pending_for(self, recipient: bytes, add: bool) -> int:
        return sum(1 for (_, r), a in self.votes.items() if r == recipient and a == add)


def genesis_tally(validators: tuple[bytes, ...]) -> VoteTally:
    return VoteTally(sort_validators(validators))


def _is_noop(tally: VoteTally, vote: Vote) -> bool:
    """Adding a validator or dropping a non-validator changes nothing (Besu ignores them)."""
    return (vote.recipient in tally.validators) == vote.add


def _applied(tally: VoteTally, vote: Vote) -> VoteTally:
    members = set(tally.validators)
    if vote.add:
        members.add(vote.recipient)
    else:
        members.discard(vote.recipient)
    votes = {
        (voter, recipient): add
        for (voter, recipient), add in tally.votes.items()
        if recipient != vote.recipient and voter in members
    }
    return VoteTally(sort_validators(tuple(members)), MappingProxyType(votes))


def apply_block(
    tally: VoteTally, number: int, proposer: bytes, vote: Vote | None, epoch_length: int
) -> VoteTally:
    """The tally after block ``number`` proposed by ``proposer`` carrying ``vote``."""
    if vote is not None and proposer in tally.validators and not _is_noop(tally, vote):
        votes = dict(tally.votes)
        votes[(proposer, vote.recipient)] = vote.add
        tally = VoteTally(tally.validators, MappingProxyType(votes))
        if tally.pending_for(vote.recipient, vote.add) * 2 > len(tally.validators):
            tally = _applied(tally, vote)
    if epoch_length > 0 and number % epoch_length == 0:
        tally = VoteTally(tally.validators)
    return tally
