"""Validator-set changes by header votes: the pure tally, its history along the chain, and
this node's own vote proposals.

**Tally** (Besu ``VoteTallyUpdater`` semantics, QBFT blocks). Each block's proposer may
cast one vote in its extraData: add or drop one address. A vote counts once per (voter,
recipient); a later vote of the same voter for the same recipient replaces the earlier.
When the votes *in the same direction* for a recipient exceed half of the current
validators (``votes > n/2``, i.e. more than 50 %), the change is applied, and every pending
vote concerning that recipient is discarded. Votes cast by a validator that is dropped are
discarded too. At every epoch boundary (block number divisible by ``epoch_length``) all
pending votes are discarded; the validator set stays. The tally is an immutable value:
:func:`apply_block` returns a new one.

**History**: :class:`ValidatorHistory` answers "which validators seal block ``n``" from the
chain's headers. As in Besu, block ``n``'s extraData lists the validators that seal it,
i.e. the set *after* block ``n - 1``; a vote that completes a change in block ``n`` takes
effect from block ``n + 1``.

**Proposals**: :class:`VoteProposals` holds the votes an operator asked this validator to
cast (``qbft_proposeValidatorVote``). Like Besu's ``VoteProposer`` it keeps them in memory
until discarded, and puts one that still changes something, and that this validator has
not already cast since the last epoch block, into each block it proposes (in turn, so
several proposals all get cast).

Pure: headers are read through :class:`Header` (py-evm's headers satisfy it), so this
module needs no py-evm.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Protocol

from govchain_node.codec.extra_data import Vote, decode_extra_data
from govchain_node.consensus.qbft.validators import sort_validators
from govchain_node.errors import BlockError


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


class Header(Protocol):
    """What the history reads of a header (py-evm's ``BlockHeaderAPI`` has both)."""

    @property
    def coinbase(self) -> bytes: ...

    @property
    def extra_data(self) -> bytes: ...


def sealing_validators(header: Header) -> tuple[bytes, ...]:
    """The validators that seal ``header``: the list in its extraData."""
    return decode_extra_data(header.extra_data).validators


#: Tallies kept in memory; the head's is what consensus and proposals need.
CACHED_TALLIES = 1024


class ValidatorHistory:
    """Vote tallies of the canonical chain, derived from its headers.

    ``header_at(n)`` returns the canonical header ``n`` (``None`` beyond the head). The
    tally after block ``n`` is rebuilt from the last epoch block at or before it (where
    pending votes are empty and the set is written in the next header's extraData), so a
    cold lookup replays at most one epoch of headers.
    """

    def __init__(
        self,
        header_at: Callable[[int], Header | None],
        genesis_validators: tuple[bytes, ...],
        epoch_length: int,
    ) -> None:
        self._header_at = header_at
        self._genesis = genesis_tally(genesis_validators)
        self._epoch = epoch_length
        self._cache: collections.OrderedDict[int, VoteTally] = collections.OrderedDict()

    @property
    def epoch_length(self) -> int:
        return self._epoch

    def validators_for(self, number: int) -> tuple[bytes, ...]:
        """The sorted validator set that seals block ``number`` (> 0)."""
        return self.tally_after(number - 1).validators

    def tally_after(self, number: int) -> VoteTally:
        """Validators and pending votes after block ``number`` of the canonical chain."""
        if number < 0:
            raise BlockError("no block before genesis")
        if number == 0:
            return self._genesis
        cached = self._cache.get(number)
        if cached is not None:
            self._cache.move_to_end(number)
            return cached
        start, tally = self._base(number)
        for height in range(start + 1, number + 1):
            tally = apply_block(tally, height, *self._vote_of(height), self._epoch)
            self._remember(height, tally)
        return tally

    def _base(self, number: int) -> tuple[int, VoteTally]:
        """A block before ``number`` (> 0) whose tally is known without replay: a cached
        one, or the last epoch block (no votes pending; its successor lists the set)."""
        epoch_block = (number - 1) - (number - 1) % self._epoch
        nearest = max((h for h in self._cache if h < number), default=None)
        if nearest is not None and nearest >= epoch_block:
            return nearest, self._cache[nearest]
        if epoch_block == 0:
            return 0, self._genesis
        following = self._header(epoch_block + 1)
        validators = sort_validators(decode_extra_data(following.extra_data).validators)
        return epoch_block, VoteTally(validators)

    def _vote_of(self, number: int) -> tuple[bytes, Vote | None]:
        header = self._header(number)
        return bytes(header.coinbase), decode_extra_data(header.extra_data).vote

    def _header(self, number: int) -> Header:
        header = self._header_at(number)
        if header is None:
            raise BlockError(f"block {number} is not on the chain")
        return header

    def _remember(self, number: int, tally: VoteTally) -> None:
        self._cache[number] = tally
        if len(self._cache) > CACHED_TALLIES:
            self._cache.popitem(last=False)


class VoteProposals:
    """Votes this validator is asked to cast: recipient → add (``True``) or drop."""

    def __init__(self) -> None:
        self._proposals: dict[bytes, bool] = {}
        self._turn = 0

    def propose(self, recipient: bytes, add: bool) -> None:
        self._proposals[recipient] = add

    def discard(self, recipient: bytes) -> bool:
        """Forget the proposal for ``recipient``; whether there was one."""
        return self._proposals.pop(recipient, None) is not None

    def pending(self) -> dict[bytes, bool]:
        return dict(self._proposals)

    def choose(self, tally: VoteTally, voter: bytes) -> Vote | None:
        """The vote to put into our next proposal on top of ``tally``, if any."""
        useful = [
            Vote(recipient, add)
            for recipient, add in self._proposals.items()
            if (recipient in tally.validators) != add and tally.votes.get((voter, recipient)) != add
        ]
        if not useful:
            return None
        self._turn += 1
        return useful[self._turn % len(useful)]
