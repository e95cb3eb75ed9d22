"""Valid RFC 9162 roots and consistency proofs for logs too large to build.

If every leaf of a log has the same hash, every perfect subtree of height k has the
same hash ``H_k`` (``H_0`` = the leaf, ``H_k`` = node(H_{k-1}, H_{k-1})). Any range the
RFC recursion names splits into O(log n) aligned perfect subtrees, so roots and
proofs of a log of 10^9 (or 2^63) leaves cost O(log² n) hashes instead of n.
"""

from __future__ import annotations

from govchain_core.log import perfect_subtrees
from govchain_core.merkle import consistency_ranges, fold_subtree_roots, leaf_hash, node_hash


class UniformLog:
    """A virtual log of ``size`` copies of one leaf hash."""

    def __init__(self, leaf: bytes = leaf_hash(b"govchain")) -> None:
        self._levels = [leaf]

    def _perfect(self, level: int) -> bytes:
        while len(self._levels) <= level:
            top = self._levels[-1]
            self._levels.append(node_hash(top, top))
        return self._levels[level]

    def range_hash(self, start: int, end: int) -> bytes:
        """Hash of the aligned leaf range ``[start, end)``."""
        return fold_subtree_roots([self._perfect(lvl) for lvl, _ in perfect_subtrees(start, end)])

    def root(self, size: int) -> bytes:
        return self.range_hash(0, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        return [self.range_hash(a, b) for a, b in consistency_ranges(old_size, new_size)]
