"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proofs.

Leaf hash ``SHA-256(0x00 ‖ data)``, node hash ``SHA-256(0x01 ‖ left ‖ right)``; a
tree of n leaves splits at the largest power of two below n and never duplicates a
node.  Inclusion and consistency proofs are generated and verified exactly as
RFC 9162 §2.1.3 and §2.1.4 describe, so the published CT test vectors apply, and so
does every other conforming implementation (the contracts, the browser verifier).

The verifiers are the security boundary of govchain: they are kept short, take
only bytes and integers, and raise a single error type, ``ProofError``.

Proof *generation* is independent of storage: it asks a ``RangeHasher`` for the
hashes of the aligned sub-ranges the RFC's recursion names, so the same code serves
the in-memory log, the notary's SQL-backed log and the tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from govchain_core.errors import ProofError

HASH_SIZE = 32
MAX_PROOF_LENGTH = 64  # a proof in a tree of at most 2^63 leaves never needs more
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
#: what a hash may be; a tuple, since ``bytes | bytearray`` builds a union per call
_BYTES = (bytes, bytearray)

#: hashes of the leaves ``[start, end)``; called only for ranges the RFC recursion
#: produces, whose start is aligned to a power of two at least ``end - start``.
RangeHasher = Callable[[Sequence[tuple[int, int]]], list[bytes]]


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 ‖ data)``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``."""
    return _sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two with k < n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def fold_subtree_roots(roots: Sequence[bytes]) -> bytes:
    """Root of consecutive perfect subtrees, largest first (a compact range)."""
    if not roots:
        return EMPTY_ROOT
    acc = roots[-1]
    for node in reversed(roots[:-1]):
        acc = _sha256(b"\x01" + node + acc).digest()
    return acc


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a full list of leaf hashes, in O(n) time and O(log n) memory."""
    stack: list[bytes] = []
    for count, node in enumerate(leaf_hashes):
        height = count
        while height & 1:
            node = _sha256(b"\x01" + stack.pop() + node).digest()
            height >>= 1
        stack.append(node)
    return fold_subtree_roots(stack)


# --------------------------------------------------------------------------- generation


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), leaf end first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PROOF(old_size, D[0:new_size]) of RFC 9162."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    m, lo, hi, complete = old_size, 0, new_size, True
    while m != hi - lo:
        k = largest_power_of_two_below(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


# --------------------------------------------------------------------------- verification


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, _BYTES) or len(value) != HASH_SIZE:
        raise ProofError(f"{name} must be a {HASH_SIZE}-byte hash")


def _check_path(path: Sequence[bytes]) -> None:
    if len(path) > MAX_PROOF_LENGTH:
        raise ProofError(f"proof has {len(path)} hashes, more than {MAX_PROOF_LENGTH}")
    for position, node in enumerate(path):
        if not isinstance(node, _BYTES) or len(node) != HASH_SIZE:
            _check_hash(f"proof[{position}]", node)  # names the node only when it fails


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """Recompute the tree root from a leaf hash and its inclusion path (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash("leaf hash", leaf)
    _check_path(path)
    fn, sn, acc = index, size - 1, bytes(leaf)
    for node in path:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is high")
        if fn & 1 or fn == sn:
            acc = _sha256(b"\x01" + node + acc).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            acc = _sha256(b"\x01" + acc + node).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is high")
    return acc


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """Raise ``ProofError`` unless ``path`` proves leaf ``index`` in the tree ``(size, root)``."""
    _check_hash("root", root)
    if root_from_inclusion_proof(index, size, leaf, path) != root:
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> None:
    """Raise ``ProofError`` unless ``path`` proves ``(old_size, old_root)`` is a prefix of
    ``(new_size, new_root)`` (RFC 9162 §2.1.4.2)."""
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    _check_path(path)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"old size {old_size} is not within 0..{new_size}")
    if old_size == new_size:
        if path:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("roots differ for the same tree size")
        return
    if old_size == 0:
        if path:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not path:
        raise ProofError("consistency proof is empty")
    nodes = list(path)
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is high")
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + node + fr).digest()
            sr = _sha256(b"\x01" + node + sr).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + node).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is high")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")
