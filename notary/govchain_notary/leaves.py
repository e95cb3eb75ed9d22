"""Leaf records as the notary stores and hashes them, canonicalised only by the core.

The RFC 8785 form and the leaf hash belong to ``govchain_core.leaf`` (the one
canonicaliser).  This module only adapts the notary's column values to a core
``LeafRecord``, and, for the bulk path of plain digests, asks the core once per
batch for the canonical bytes of a sample leaf and splices each digest and salt
into that sample: the bytes are the core's, only the two fixed-width hex fields
differ (``tests/unit/notary/test_notary_leaves.py`` holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from govchain_core.digest import Digest
from govchain_core.leaf import SALT_SIZE, LeafRecord
from govchain_core.merkle import leaf_hash

_SHA256 = "sha256"
_DIGEST_SIZE = 32


def leaf_record(
    kind: str,
    digest: bytes,
    salt: bytes,
    issuer: str,
    *,
    meta: bytes | None = None,
    device: str | None = None,
    seq: int | None = None,
) -> LeafRecord:
    """The core's record for one stored leaf (raw SHA-256 digest bytes as columns hold them)."""
    return LeafRecord(
        kind=kind,
        digest=Digest(_SHA256, digest),
        salt=salt,
        issuer=issuer,
        meta=Digest(_SHA256, meta) if meta is not None else None,
        device=device,
        seq=seq,
    )


def plain_leaf_hasher(kind: str, issuer: str) -> Callable[[str, str], bytes]:
    """A function ``(digest_hex, salt_hex) -> leaf hash`` for leaves with no optional
    field, built from one leaf the core canonicalised (no per-leaf object or JCS walk)."""
    head, middle, tail = _plain_template(kind, issuer)

    def hash_of(digest_hex: str, salt_hex: str) -> bytes:
        return leaf_hash(f"{head}{digest_hex}{middle}{salt_hex}{tail}".encode())

    return hash_of


def plain_leaf_text(kind: str, issuer: str, digest: bytes, salt: bytes) -> str:
    """The canonical text of a stored leaf with no optional field (raw digest and salt
    bytes as columns hold them), spliced like ``plain_leaf_hasher``'s: every read of
    a leaf row rebuilds it, a lookup one per receipt."""
    head, middle, tail = _plain_template(kind, issuer)
    return f"{head}{digest.hex()}{middle}{salt.hex()}{tail}"


@lru_cache(maxsize=1024)
def _plain_template(kind: str, issuer: str) -> tuple[str, str, str]:
    """The canonical text of a sample leaf, cut around its digest and its salt."""
    digest_mark, salt_mark = _marks(issuer)
    sample = leaf_record(kind, bytes.fromhex(digest_mark), bytes.fromhex(salt_mark), issuer)
    text = sample.canonical_bytes().decode("ascii")
    if text.count(digest_mark) != 1 or text.count(salt_mark) != 1:
        raise AssertionError("a leaf's digest and salt must each appear once in its bytes")
    head, rest = text.split(digest_mark)
    middle, tail = rest.split(salt_mark)
    return head, middle, tail


def _marks(issuer: str) -> tuple[str, str]:
    """A digest and a salt whose hex occurs nowhere else in a leaf of this issuer (the
    40 hex digits of an address hold no run of 64, and a run of 32 of at most one digit)."""
    salt_fill = "9" if "9" * (2 * SALT_SIZE) not in issuer else "8"
    return "a" * (2 * _DIGEST_SIZE), salt_fill * (2 * SALT_SIZE)
