"""Hypothesis properties of the log and the verifiers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_core.errors import ProofError
from govchain_core.log import MemoryNodeStore, MerkleLog
from govchain_core.merkle import (
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

# distinct leaves: with two equal leaves, swapping their indices legitimately verifies
leaf_data = st.lists(st.binary(max_size=8), min_size=1, max_size=300, unique=True)


def build(data: list[bytes]) -> tuple[MerkleLog, list[bytes]]:
    leaves = [leaf_hash(x) for x in data]
    log = MerkleLog()
    log.append_many(leaves)
    return log, leaves


@given(leaf_data)
def test_every_inclusion_proof_verifies_for_every_size(data: list[bytes]) -> None:
    log, leaves = build(data)
    for size in range(1, len(leaves) + 1, max(1, len(leaves) // 17)):
        root = log.root(size)
        for index in range(0, size, max(1, size // 11)):
            verify_inclusion(index, size, leaves[index], log.inclusion_proof(index, size), root)


@given(leaf_data, st.data())
def test_every_consistency_proof_verifies(data: list[bytes], draw: st.DataObject) -> None:
    log, _ = build(data)
    new = draw.draw(st.integers(0, log.size))
    old = draw.draw(st.integers(0, new))
    verify_consistency(old, new, log.root(old), log.root(new), log.consistency_proof(old, new))


@given(leaf_data, st.lists(st.integers(1, 40), max_size=12))
def test_incremental_append_equals_building_from_scratch(
    data: list[bytes], chunks: list[int]
) -> None:
    leaves = [leaf_hash(x) for x in data]
    store = MemoryNodeStore()
    log = MerkleLog(store)
    position = 0
    for chunk in [*chunks, len(leaves)]:
        log.append_many(leaves[position : position + chunk])
        position = min(len(leaves), position + chunk)
        # reopening from the store alone must give the same log
        log = MerkleLog(store, log.size)
        assert log.root() == merkle_root(leaves[: log.size])
    for single in leaves[: len(leaves) // 2]:
        fresh = MerkleLog()
        fresh.append(single)
        assert fresh.root() == single


def _flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[bit // 8 % len(value)] ^= 1 << (bit % 8)
    return bytes(changed)


@given(leaf_data, st.data())
def test_any_single_bit_flip_breaks_an_inclusion_proof(
    data: list[bytes], draw: st.DataObject
) -> None:
    log, leaves = build(data)
    size = draw.draw(st.integers(1, log.size))
    index = draw.draw(st.integers(0, size - 1))
    path, root, leaf = log.inclusion_proof(index, size), log.root(size), leaves[index]
    target = draw.draw(
        st.sampled_from(["leaf", "root", "index", "size"] + (["path"] if path else []))
    )
    bit = draw.draw(st.integers(0, 255))
    if target == "leaf":
        leaf = _flip(leaf, bit)
    elif target == "root":
        root = _flip(root, bit)
    elif target == "path":
        position = draw.draw(st.integers(0, len(path) - 1))
        path[position] = _flip(path[position], bit)
    elif target == "index":
        index ^= 1 << (bit % max(1, size.bit_length()))
    else:
        size ^= 1 << (bit % (size.bit_length() + 1))
    if target == "size":
        # RFC 9162 inclusion proofs of the leftmost leaves can also fit a larger tree
        # (size 5 and 7 share the path of leaf 0).  A receipt is still bound to its size:
        # the anchor step checks that (size, root) is the checkpoint anchored on chain.
        assert_rejected_with_anchor(log, index, size, leaf, path, root)
        return
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, path, root)


def assert_rejected_with_anchor(
    log: MerkleLog, index: int, size: int, leaf: bytes, path: list[bytes], root: bytes
) -> None:
    try:
        verify_inclusion(index, size, leaf, path, root)
    except ProofError:
        return
    assert size > log.size or log.root(size) != root, "a flipped size verified"


@given(leaf_data, st.data())
def test_any_single_bit_flip_breaks_a_consistency_proof(
    data: list[bytes], draw: st.DataObject
) -> None:
    log, _ = build(data)
    new = draw.draw(st.integers(2, max(2, log.size)))
    if new > log.size:
        return
    old = draw.draw(st.integers(1, new - 1))
    path = log.consistency_proof(old, new)
    r1, r2 = log.root(old), log.root(new)
    target = draw.draw(st.sampled_from(["old_root", "new_root", "path", "old", "new"]))
    bit = draw.draw(st.integers(0, 255))
    if target == "old_root":
        r1 = _flip(r1, bit)
    elif target == "new_root":
        r2 = _flip(r2, bit)
    elif target == "path":
        position = draw.draw(st.integers(0, len(path) - 1))
        path[position] = _flip(path[position], bit)
    elif target == "old":
        old ^= 1 << (bit % old.bit_length())
    else:
        new ^= 1 << (bit % (new.bit_length() + 1))
    try:
        verify_consistency(old, new, r1, r2, path)
    except ProofError:
        return
    # as with inclusion, a proof may fit another size; the anchored (size, root) pairs
    # that the contract stores are what bind it
    assert target in ("old", "new"), f"a flipped {target} verified"
    assert new > log.size or old > new or (log.root(old), log.root(new)) != (r1, r2)
