"""Quorum arithmetic and Besu's proposer rotation."""

from __future__ import annotations

import pytest

from govchain_node.consensus.qbft.validators import max_faulty, proposer, quorum, sort_validators


@pytest.mark.parametrize(
    ("n", "q", "f"),
    [(1, 1, 0), (2, 2, 0), (3, 2, 0), (4, 3, 1), (5, 4, 1), (6, 4, 1), (7, 5, 2), (10, 7, 3)],
)
def test_quorum_and_f(n: int, q: int, f: int) -> None:
    assert (quorum(n), max_faulty(n)) == (q, f)


@pytest.mark.parametrize("n", range(1, 200))
def test_two_quorums_share_an_honest_validator(n: int) -> None:
    assert 2 * quorum(n) - n >= max_faulty(n) + 1
    assert quorum(n) <= n - max_faulty(n)  # and the honest alone form a quorum


V = tuple(bytes([i]) * 20 for i in (0x10, 0x20, 0x30, 0x40))


def test_round_robin_after_an_existing_proposer() -> None:
    assert proposer(V, V[1], 0) == V[2]
    assert proposer(V, V[1], 1) == V[3]
    assert proposer(V, V[3], 0) == V[0]  # wraps
    assert proposer(V, V[3], 6) == V[2]


def test_missing_proposer_starts_from_the_next_higher_address() -> None:
    genesis = bytes(20)
    assert proposer(V, genesis, 0) == V[0]
    assert proposer(V, genesis, 3) == V[3]
    dropped = bytes([0x25]) * 20  # between V[1] and V[2], voted out
    assert proposer(V, dropped, 0) == V[2]
    assert proposer(V, bytes([0xFF]) * 20, 0) == V[0]  # past the end: wrap to the first


def test_sort_is_ascending_and_deduplicated() -> None:
    assert sort_validators((V[2], V[0], V[2], V[1])) == (V[0], V[1], V[2])
