"""Digests: strict parsing and streaming file hashing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from govchain_core.digest import Digest, digest_bytes, digest_file, parse_digest
from govchain_core.errors import DigestError

EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_round_trip() -> None:
    digest = parse_digest(EMPTY)
    assert str(digest) == EMPTY
    assert digest == digest_bytes(b"")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (EMPTY.upper(), "lower case"),
        (EMPTY[:-1], "64 hex"),
        (EMPTY + "0", "64 hex"),
        ("md5:" + "0" * 32, "unsupported"),
        (EMPTY[7:], "look like"),
        (" " + EMPTY, "look like"),
        ("sha256:" + "g" * 64, "look like"),
        ("", "look like"),
    ],
)
def test_malformed_digests_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(DigestError, match=message):
        parse_digest(text)


def test_digest_objects_check_their_length() -> None:
    with pytest.raises(DigestError):
        Digest("sha256", b"\x00" * 31)


def test_file_digest_streams_in_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10_000
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    assert digest_file(path, chunk_size=4096).value == hashlib.sha256(data).digest()
