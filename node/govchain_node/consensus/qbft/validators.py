"""Quorum arithmetic and proposer selection, as Besu computes them.

Proposer rule (Besu ``ProposerSelector`` with ``changeEachBlock = true``, the QBFT default):
let ``V`` be the validator list for the height (the set after the parent block in
ascending address order, as Besu's vote tally keeps it, whatever the order in the genesis
extraData) and ``p`` the parent block's proposer (its coinbase).

- ``p`` in ``V``: proposer(h, r) = ``V[(index(p) + 1 + r) mod |V|]``;
- ``p`` not in ``V`` (genesis, or ``p`` was voted out): take ``b`` = the smallest address in
  ``V`` strictly greater than ``p`` (wrapping to the smallest of all), and
  proposer(h, r) = ``V[(index(b) + r) mod |V|]``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from govchain_node.consensus.qbft.errors import QbftConfigError


def quorum(n: int) -> int:
    """⌈2n/3⌉: any two quorums intersect in at least one honest validator when f ≤ ⌊(n-1)/3⌋."""
    return -(-2 * n // 3)


def max_faulty(n: int) -> int:
    """f = ⌊(n-1)/3⌋, the Byzantine validators tolerated."""
    return (n - 1) // 3


def sort_validators(validators: Sequence[bytes]) -> tuple[bytes, ...]:
    """The canonical (ascending, de-duplicated) order Besu stores validators in."""
    return tuple(sorted(set(validators)))


def proposer(validators: Sequence[bytes], parent_proposer: bytes, round_: int) -> bytes:
    """The proposer for ``round_`` of the height after a block proposed by ``parent_proposer``."""
    if not validators:
        raise QbftConfigError("empty validator set")
    count = len(validators)
    if parent_proposer in validators:
        return validators[(validators.index(parent_proposer) + 1 + round_) % count]
    ordered = sorted(validators)
    position = bisect.bisect_right(ordered, parent_proposer)
    base = ordered[position % count]
    return validators[(validators.index(base) + round_) % count]
