"""The append-only log over its node store."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from govchain_core.errors import ProofError
from govchain_core.log import (
    MemoryNodeStore,
    MerkleLog,
    NodeKey,
    inclusion_proof,
    perfect_subtrees,
)
from govchain_core.merkle import leaf_hash


def test_append_returns_consecutive_indices() -> None:
    log = MerkleLog()
    assert log.append(leaf_hash(b"a")) == 0
    assert log.append_many([leaf_hash(b"b"), leaf_hash(b"c")]) == 1
    assert log.append(leaf_hash(b"d")) == 3
    assert log.size == 4
    assert log.leaf(2) == leaf_hash(b"c")


def test_store_holds_each_perfect_subtree_once() -> None:
    store = MemoryNodeStore()
    MerkleLog(store).append_many(leaf_hash(bytes([i])) for i in range(13))
    assert [len(level) for level in store.levels] == [13, 6, 3, 1]


def test_perfect_subtrees_decompose_a_range_largest_first() -> None:
    assert perfect_subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_subtrees(8, 13) == [(2, 2), (0, 12)]
    assert perfect_subtrees(0, 0) == []


def test_requests_beyond_the_log_are_refused() -> None:
    log = MerkleLog()
    log.append_many(leaf_hash(bytes([i])) for i in range(5))
    with pytest.raises(ProofError):
        log.root(6)
    with pytest.raises(ProofError):
        log.inclusion_proof(5)
    with pytest.raises(ProofError):
        log.inclusion_proof(3, 3)
    with pytest.raises(ProofError):
        log.consistency_proof(3, 6)
    with pytest.raises(ProofError):
        log.consistency_proof(4, 3)
    with pytest.raises(ProofError):
        log.leaf(5)


def test_leaf_hashes_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleLog().append(b"short")


def test_memory_store_refuses_gaps_and_reports_missing_nodes() -> None:
    store = MemoryNodeStore()
    with pytest.raises(ValueError, match="out of order"):
        store.add_nodes([(0, 1, b"x" * 32)])
    with pytest.raises(KeyError):
        store.get_nodes([(0, 0)])


class CountingStore(MemoryNodeStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.reads += 1
        return super().get_nodes(keys)


def test_a_proof_from_the_store_alone_matches_the_logs_and_reads_once() -> None:
    store = CountingStore()
    log = MerkleLog(store)
    log.append_many(leaf_hash(b"%d" % n) for n in range(37))
    for size in (1, 2, 13, 16, 37):
        for index in range(size):
            store.reads = 0
            assert inclusion_proof(store, index, size) == log.inclusion_proof(index, size)
            assert store.reads == 2  # ours, then the log's: no frontier read
    with pytest.raises(ProofError):
        inclusion_proof(store, 5, 5)
