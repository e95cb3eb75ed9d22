"""Document digests, written ``sha256:<64 lowercase hex>``.

SHA-256 of the file bytes, exactly what WebCrypto's ``digest("SHA-256", …)`` and
``openssl dgst -sha256`` compute.  The algorithm is named so that others can be
added later without ambiguity; today only ``sha256`` is accepted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from govchain_core.errors import DigestError

SHA256 = "sha256"
_ALGORITHMS = {SHA256: 32}
_DIGEST_RE = re.compile(r"\A([a-z0-9-]{1,16}):([0-9a-f]+)\Z")
CHUNK_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class Digest:
    """A named hash of a document's bytes."""

    algorithm: str
    value: bytes

    def __post_init__(self) -> None:
        size = _ALGORITHMS.get(self.algorithm)
        if size is None:
            raise DigestError(f"unsupported digest algorithm {self.algorithm!r}")
        if len(self.value) != size:
            raise DigestError(
                f"{self.algorithm} digest must be {size} bytes, got {len(self.value)}"
            )

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.value.hex()}"

    @property
    def hex(self) -> str:
        return self.value.hex()


def parse_digest(text: str) -> Digest:
    """Parse ``sha256:<64 lowercase hex>`` strictly (no upper case, no whitespace)."""
    if not isinstance(text, str):
        raise DigestError(f"digest must be a string, got {type(text).__name__}")
    match = _DIGEST_RE.match(text)
    if match is None:
        if text.lower() != text:
            raise DigestError("digest must be written in lower case: 'sha256:<64 hex>'")
        raise DigestError("digest must look like 'sha256:<64 lowercase hex digits>'")
    algorithm, hex_value = match.groups()
    if algorithm not in _ALGORITHMS:
        raise DigestError(f"unsupported digest algorithm {algorithm!r}")
    expected = 2 * _ALGORITHMS[algorithm]
    if len(hex_value) != expected:
        raise DigestError(f"{algorithm} digest needs {expected} hex digits, got {len(hex_value)}")
    return Digest(algorithm, bytes.fromhex(hex_value))


def digest_bytes(data: bytes) -> Digest:
    """SHA-256 digest of an in-memory document."""
    return Digest(SHA256, hashlib.sha256(data).digest())


def digest_stream(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Digest:
    """SHA-256 digest of a binary stream, read in chunks (constant memory)."""
    hasher = hashlib.sha256()
    while chunk := stream.read(chunk_size):
        hasher.update(chunk)
    return Digest(SHA256, hasher.digest())


def digest_file(path: str | Path, chunk_size: int = CHUNK_SIZE) -> Digest:
    """SHA-256 digest of a file, streamed so that large files need no memory."""
    with open(path, "rb") as stream:
        return digest_stream(stream, chunk_size)
