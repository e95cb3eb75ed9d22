"""Known-answer tests: the Certificate Transparency reference vectors and the RFC oracle."""

from __future__ import annotations

from typing import Any

import pytest

from govchain_core.errors import ProofError
from govchain_core.log import MerkleLog
from govchain_core.merkle import (
    EMPTY_ROOT,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)
from tests.conftest import load_vectors
from tests.unit.core import rfc9162_reference as ref

CT = load_vectors("merkle-ct.json")
CT_LEAVES = [bytes.fromhex(x) for x in CT["leaves"]]
CT_ROOTS = [bytes.fromhex(x) for x in CT["roots"]]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def ct_log() -> MerkleLog:
    log = MerkleLog()
    log.append_many(leaf_hash(x) for x in CT_LEAVES)
    return log


def test_empty_root_is_sha256_of_nothing() -> None:
    assert CT_ROOTS[0] == EMPTY_ROOT
    assert MerkleLog().root() == CT_ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_ct_reference(size: int) -> None:
    assert ct_log().root(size) == CT_ROOTS[size]
    assert merkle_root([leaf_hash(x) for x in CT_LEAVES[:size]]) == CT_ROOTS[size]


@pytest.mark.parametrize("case", CT["inclusion"], ids=lambda c: f"{c['index']}of{c['tree_size']}")
def test_inclusion_proofs_match_ct_reference(case: dict[str, Any]) -> None:
    index, size = case["index"], case["tree_size"]
    expected = [bytes.fromhex(x) for x in case["path"]]
    assert ct_log().inclusion_proof(index, size) == expected
    verify_inclusion(index, size, leaf_hash(CT_LEAVES[index]), expected, CT_ROOTS[size])


@pytest.mark.parametrize(
    "case", CT["consistency"], ids=lambda c: f"{c['old_size']}to{c['new_size']}"
)
def test_consistency_proofs_match_ct_reference(case: dict[str, Any]) -> None:
    old, new = case["old_size"], case["new_size"]
    expected = [bytes.fromhex(x) for x in case["path"]]
    assert ct_log().consistency_proof(old, new) == expected
    verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], expected)


def corrupt_inclusion(
    index: int, size: int, leaf: bytes, path: list[bytes], root: bytes
) -> list[tuple[str, tuple[int, int, bytes, list[bytes], bytes]]]:
    """The probes of the CT verifier tests: every one of them must be rejected."""
    probes = [
        ("index-1", (index - 1, size, leaf, path, root)),
        ("index+1", (index + 1, size, leaf, path, root)),
        ("index^2", (index ^ 2, size, leaf, path, root)),
        ("size*2", (index, size * 2, leaf, path, root)),
        ("size//2", (index, size // 2, leaf, path, root)),
        ("wrong leaf", (index, size, leaf_hash(b"WrongLeaf"), path, root)),
        ("empty root", (index, size, leaf, path, EMPTY_ROOT)),
        ("random root", (index, size, leaf, path, SOME_HASH)),
        ("trailing root", (index, size, leaf, [*path, root], root)),
        ("preceding root", (index, size, leaf, [root, *path], root)),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([path[i][0] ^ 8]) + path[i][1:]
        probes.append((f"bit flip in path[{i}]", (index, size, leaf, flipped, root)))
    if path:
        probes.append(("removed component", (index, size, leaf, path[:-1], root)))
    if len(path) > 1:
        probes.append(
            ("inserted component", (index, size, leaf, [path[0], SOME_HASH, *path[1:]], root))
        )
    return probes


@pytest.mark.parametrize("case", CT["inclusion"], ids=lambda c: f"{c['index']}of{c['tree_size']}")
def test_corrupted_inclusion_proofs_are_rejected(case: dict[str, Any]) -> None:
    index, size = case["index"], case["tree_size"]
    path = [bytes.fromhex(x) for x in case["path"]]
    for _name, args in corrupt_inclusion(
        index, size, leaf_hash(CT_LEAVES[index]), path, CT_ROOTS[size]
    ):
        with pytest.raises(ProofError):
            verify_inclusion(*args)


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)], ids=["0of0", "0of1", "1of0", "2of1"]
)
def test_degenerate_inclusion_probes_are_rejected(index: int, size: int) -> None:
    for root, leaf in ((b"", SOME_HASH), (EMPTY_ROOT, b""), (EMPTY_ROOT, SOME_HASH)):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, [], root)


def test_single_leaf_tree_root_is_the_leaf_hash() -> None:
    leaf = leaf_hash(b"data")
    verify_inclusion(0, 1, leaf, [], leaf)
    with pytest.raises(ProofError):
        verify_inclusion(0, 1, leaf, [], b"")


@pytest.mark.parametrize(
    "case", CT["consistency"][:3], ids=lambda c: f"{c['old_size']}to{c['new_size']}"
)
def test_corrupted_consistency_proofs_are_rejected(case: dict[str, Any]) -> None:
    old, new = case["old_size"], case["new_size"]
    r1, r2 = CT_ROOTS[old], CT_ROOTS[new]
    path = [bytes.fromhex(x) for x in case["path"]]
    probes: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old - 1, new, r1, r2, path),
        (old + 1, new, r1, r2, path),
        (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path),
        (old, new // 2, r1, r2, path),
        (old, new, leaf_hash(b"WrongRoot"), r2, path),
        (old, new, r1, leaf_hash(b"WrongRoot"), path),
        (old, new, r2, r1, path),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*path, r1]),
        (old, new, r1, r2, [*path, r2]),
        (old, new, r1, r2, [r1, *path]),
        (old, new, r1, r2, [r2, *path]),
        (old, new, r1, r2, [path[0], *path]),
        (old, new, r1, r2, path[:-1]),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([path[i][0] ^ 16]) + path[i][1:]
        probes.append((old, new, r1, r2, flipped))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


SIZES = [*range(1, 71), 128, 129, 1000]


def test_roots_and_proofs_agree_with_the_rfc_definitions() -> None:
    data = [i.to_bytes(2, "big") * 3 for i in range(max(SIZES))]
    log = MerkleLog()
    log.append_many(leaf_hash(x) for x in data)
    for size in SIZES:
        assert log.root(size) == ref.mth(data[:size]), size
        for index in sorted({0, size // 3, size - 1}):
            assert log.inclusion_proof(index, size) == ref.path(index, data[:size])
        for old in sorted({1, size // 2, size - 1, size} - {0}):
            assert log.consistency_proof(old, size) == ref.proof(old, data[:size])


def test_every_inclusion_proof_in_small_trees_matches_the_rfc() -> None:
    data = [bytes([i]) for i in range(40)]
    log = MerkleLog()
    log.append_many(leaf_hash(x) for x in data)
    for size in range(1, 41):
        for index in range(size):
            assert log.inclusion_proof(index, size) == ref.path(index, data[:size])
