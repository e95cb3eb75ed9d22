"""Header voting: > 50 % applies a change, votes are replaced, epochs reset the tally."""

from __future__ import annotations

from govchain_node.codec.extra_data import Vote
from govchain_node.consensus.voting import apply_block, genesis_tally

A, B, C, D, E = (bytes([i]) * 20 for i in range(1, 6))
EPOCH = 30_000


def test_half_is_not_enough_more_than_half_adds() -> None:
    tally = genesis_tally((A, B, C, D))
    tally = apply_block(tally, 1, A, Vote(E, True), EPOCH)
    tally = apply_block(tally, 2, B, Vote(E, True), EPOCH)
    assert E not in tally.validators  # 2 of 4 = 50 %
    tally = apply_block(tally, 3, C, Vote(E, True), EPOCH)
    assert tally.validators == (A, B, C, D, E)
    assert not tally.votes  # votes about E are discarded once applied


def test_drop_and_the_dropped_validators_votes_vanish() -> None:
    tally = genesis_tally((A, B, C))
    tally = apply_block(tally, 1, C, Vote(E, True), EPOCH)
    tally = apply_block(tally, 2, A, Vote(C, False), EPOCH)
    tally = apply_block(tally, 3, B, Vote(C, False), EPOCH)
    assert tally.validators == (A, B)
    assert (C, E) not in tally.votes


def test_a_later_vote_replaces_the_earlier_one() -> None:
    tally = genesis_tally((A, B, C))
    tally = apply_block(tally, 1, A, Vote(D, True), EPOCH)
    tally = apply_block(tally, 2, A, Vote(D, True), EPOCH)
    assert tally.pending_for(D, True) == 1


def test_votes_from_non_validators_and_no_op_votes_are_ignored() -> None:
    tally = genesis_tally((A, B, C))
    assert apply_block(tally, 1, E, Vote(D, True), EPOCH) == tally
    assert apply_block(tally, 1, A, Vote(B, True), EPOCH) == tally  # already a validator
    assert apply_block(tally, 1, A, Vote(D, False), EPOCH) == tally  # not a validator


def test_epoch_boundary_discards_pending_votes_but_keeps_the_set() -> None:
    tally = genesis_tally((A, B, C, D))
    tally = apply_block(tally, 9, A, Vote(E, True), 10)
    assert tally.votes
    tally = apply_block(tally, 10, B, None, 10)
    assert not tally.votes
    assert tally.validators == (A, B, C, D)
