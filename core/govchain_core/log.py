"""An append-only RFC 9162 Merkle log over a pluggable node store.

The log keeps every *perfect* subtree it has completed: node ``(level, index)`` is
the hash of leaves ``[index·2^level, (index+1)·2^level)``.  Appending a leaf adds
the leaf itself and at most log₂ n parents (on average one), computed from the
compact *frontier* (the roots of the perfect subtrees that make up the current
size), so an append costs O(log n) and reads nothing from the store.

Any range the RFC recursion asks for decomposes into at most log₂ n stored perfect
nodes, so roots of every earlier size, inclusion proofs and consistency proofs are
served from the store without rebuilding anything.  The notary keeps its logs as
C2SP tlog-tiles instead (``govchain_core.tiles``, tested against this log); tools,
tests and benchmarks keep a ``MerkleLog`` in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from govchain_core.errors import ProofError
from govchain_core.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    consistency_ranges,
    fold_subtree_roots,
    inclusion_ranges,
)

NodeKey = tuple[int, int]
"""``(level, index)`` of a perfect subtree."""

Node = tuple[int, int, bytes]
"""``(level, index, hash)``."""


class NodeStore(Protocol):
    """Where a log keeps its perfect-subtree hashes."""

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Return the hashes for ``keys`` in order; raise ``KeyError`` for a missing one."""
        ...

    def add_nodes(self, nodes: Sequence[Node]) -> None:
        """Store new nodes; they are always appended in ascending index per level."""
        ...


class MemoryNodeStore:
    """In-memory node store: one Python list of hashes per level."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        levels = self.levels
        try:
            return [levels[level][index] for level, index in keys]
        except IndexError as exc:
            raise KeyError(f"node missing from store: {exc}") from None

    def add_nodes(self, nodes: Sequence[Node]) -> None:
        levels = self.levels
        for level, index, value in nodes:
            while len(levels) <= level:
                levels.append([])
            row = levels[level]
            if index != len(row):
                raise ValueError(f"node ({level}, {index}) appended out of order")
            row.append(value)


def perfect_subtrees(start: int, end: int) -> list[NodeKey]:
    """Decompose an aligned range ``[start, end)`` into perfect subtrees, largest first."""
    keys: list[NodeKey] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        keys.append((level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    return keys


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1 from the nodes of a log of at least
    ``size`` leaves, without opening the log: a reader that only needs a proof (a
    receipt) saves the store read of the log's frontier that ``MerkleLog`` makes."""
    return range_hashes(store, inclusion_ranges(index, size))


def range_hashes(store: NodeStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Hashes of aligned leaf ranges, all nodes fetched from the store in one call."""
    decompositions = [perfect_subtrees(start, end) for start, end in ranges]
    keys = sorted({key for keys in decompositions for key in keys})
    found = dict(zip(keys, store.get_nodes(keys), strict=True))
    return [fold_subtree_roots([found[key] for key in keys]) for keys in decompositions]


class MerkleLog:
    """An append-only RFC 9162 log.  Not thread-safe: one writer per log."""

    def __init__(self, store: NodeStore | None = None, size: int = 0) -> None:
        """Open a log of ``size`` leaves whose nodes are in ``store``."""
        self.store: NodeStore = store if store is not None else MemoryNodeStore()
        self._size = size
        self._frontier: list[bytes] = (
            self.store.get_nodes(perfect_subtrees(0, size)) if size else []
        )

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> int:
        """Append one leaf hash; return its index."""
        return self.append_many((leaf,))

    def append_many(self, leaves: Iterable[bytes]) -> int:
        """Append leaf hashes in order with one store write; return the first index."""
        sha256 = hashlib.sha256
        frontier = self._frontier
        first = size = self._size
        nodes: list[Node] = []
        add = nodes.append
        for leaf in leaves:
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"leaf hash must be {HASH_SIZE} bytes")
            add((0, size, leaf))
            node, carry, level = leaf, size, 0
            while carry & 1:
                node = sha256(b"\x01" + frontier.pop() + node).digest()
                carry >>= 1
                level += 1
                add((level, carry, node))
            frontier.append(node)
            size += 1
        self.store.add_nodes(nodes)
        self._size = size
        return first

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree of the first ``size`` leaves (default: all)."""
        if size is None or size == self._size:
            return fold_subtree_roots(self._frontier)
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return fold_subtree_roots(self.store.get_nodes(perfect_subtrees(0, size)))

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < self._size:
            raise ProofError(f"leaf index {index} is outside a log of size {self._size}")
        return self.store.get_nodes([(0, index)])[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1."""
        size = self._size if size is None else size
        self._check_size(size)
        return range_hashes(self.store, inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1."""
        new_size = self._size if new_size is None else new_size
        self._check_size(new_size)
        return range_hashes(self.store, consistency_ranges(old_size, new_size))

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise ProofError(f"size {size} is outside a log of size {self._size}")
