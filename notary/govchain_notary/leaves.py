"""Leaf records built fast: the canonical bytes written directly, no generic JCS walk.

A batch of 10,000 digests would spend most of its time in the generic RFC 8785
serialiser; every field of a v1 leaf record is a known ASCII shape, so its
canonical form is a fixed template with members in JCS order.  A property test
checks the bytes against ``govchain_core.leaf.LeafRecord.canonical_bytes``.
"""

from __future__ import annotations

import hashlib
import json


def leaf_json(
    kind: str,
    digest: str,
    salt: bytes,
    issuer: str,
    *,
    meta: str | None = None,
    device: str | None = None,
    seq: int | None = None,
    supersedes: bytes | None = None,
) -> str:
    """RFC 8785 form of a validated leaf record (members sorted by UTF-16 code unit)."""
    parts = []
    if device is not None:
        parts.append(f'"device":{json.dumps(device)}')
    parts.append(f'"digest":"{digest}","issuer":"{issuer}","kind":"{kind}"')
    if meta is not None:
        parts.append(f'"meta":"{meta}"')
    parts.append(f'"salt":"{salt.hex()}"')
    if seq is not None:
        parts.append(f'"seq":{seq}')
    if supersedes is not None:
        parts.append(f'"supersedes":"{supersedes.hex()}"')
    parts.append('"v":1')
    return "{" + ",".join(parts) + "}"


def leaf_hash_of(canonical: str) -> bytes:
    """``SHA-256(0x00 ‖ JCS(record))``."""
    return hashlib.sha256(b"\x00" + canonical.encode("ascii")).digest()
