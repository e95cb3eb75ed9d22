"""Leaf records v1."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_core.digest import Digest, digest_bytes
from govchain_core.errors import LeafRecordError
from govchain_core.jcs import canonicalize
from govchain_core.leaf import (
    LeafRecord,
    check_description,
    description_meta,
    leaf_from_object,
    new_leaf,
)
from govchain_core.merkle import leaf_hash
from tests.conftest import load_vectors

ISSUER = "0x" + "ab" * 20


def test_canonical_form_and_hash() -> None:
    leaf = LeafRecord("certificate", digest_bytes(b"doc"), b"\x01" * 16, ISSUER)
    expected = (
        '{"digest":"' + str(digest_bytes(b"doc")) + '","issuer":"' + ISSUER + '",'
        '"kind":"certificate","salt":"' + "01" * 16 + '","v":1}'
    )
    assert leaf.canonical_bytes().decode() == expected
    assert leaf.leaf_hash() == leaf_hash(expected.encode())


def test_the_leaf_hash_is_memoised_outside_equality_and_replace_recomputes_it() -> None:
    leaf = LeafRecord("certificate", digest_bytes(b"doc"), b"\x01" * 16, ISSUER)
    fresh = LeafRecord("certificate", digest_bytes(b"doc"), b"\x01" * 16, ISSUER)
    first = leaf.leaf_hash()
    assert leaf.leaf_hash() is first
    assert leaf == fresh  # only one has its hash memoised
    assert hash(leaf) == hash(fresh)
    assert "_leaf_hash" not in repr(leaf)
    other = replace(leaf, kind="register")
    assert other.leaf_hash() == leaf_hash(other.canonical_bytes()) != first


def test_new_leaves_get_fresh_salts_and_normalised_issuers() -> None:
    one = new_leaf("iot", digest_bytes(b"x"), "0x" + "AB" * 20, device="sensor-1", seq=7)
    two = new_leaf("iot", digest_bytes(b"x"), ISSUER, device="sensor-1", seq=7)
    assert one.issuer == ISSUER
    assert one.salt != two.salt
    assert one.leaf_hash() != two.leaf_hash()


def test_round_trip_with_all_optional_fields() -> None:
    leaf = LeafRecord(
        "register",
        digest_bytes(b"a"),
        b"\x02" * 16,
        ISSUER,
        meta=digest_bytes(b"m"),
        device="dev",
        seq=0,
        supersedes=b"\x03" * 32,
    )
    assert leaf_from_object(leaf.to_object()) == leaf


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": 2}, "version"),
        ({"v": True}, "version"),
        ({"kind": "passport"}, "kind"),
        ({"salt": "00" * 15}, "salt"),
        ({"salt": "0G" * 16}, "salt"),
        ({"issuer": "0x" + "AB" * 20}, "issuer"),
        ({"digest": "sha256:00"}, "hex"),
        ({"extra": 1}, "unknown"),
        ({"seq": 3}, "together"),
        ({"device": "d", "seq": -1}, "seq"),
        ({"device": "d", "seq": 1.5}, "seq"),
        ({"device": "with space", "seq": 1}, "device"),
    ],
)
def test_bad_records_are_refused(change: dict[str, Any], message: str) -> None:
    obj = LeafRecord("certificate", digest_bytes(b"d"), b"\x01" * 16, ISSUER).to_object()
    obj.update(change)
    with pytest.raises(LeafRecordError, match=message):
        leaf_from_object(obj)


def test_missing_fields_are_named() -> None:
    with pytest.raises(LeafRecordError, match="salt"):
        leaf_from_object(
            {"v": 1, "kind": "iot", "digest": str(digest_bytes(b"")), "issuer": ISSUER}
        )


hex_bytes = st.binary(min_size=16, max_size=16)


@given(
    kind=st.sampled_from(["certificate", "register", "iot", "dataset"]),
    salt=hex_bytes,
    meta=st.none() | st.binary(min_size=32, max_size=32),
    device=st.none()
    | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=128),
    seq=st.integers(0, 2**53 - 1),
    supersedes=st.none() | st.binary(min_size=32, max_size=32),
)
def test_fast_canonical_form_equals_generic_jcs(
    kind: str,
    salt: bytes,
    meta: bytes | None,
    device: str | None,
    seq: int,
    supersedes: bytes | None,
) -> None:
    leaf = LeafRecord(
        kind,
        digest_bytes(salt),
        salt,
        ISSUER,
        meta=None if meta is None else Digest("sha256", meta),
        device=device,
        seq=None if device is None else seq,
        supersedes=supersedes,
    )
    assert leaf.canonical_bytes() == canonicalize(leaf.to_object())


@pytest.mark.parametrize(
    "case", load_vectors("descriptions.json")["cases"], ids=lambda c: c["name"]
)
def test_description_meta_is_the_digest_the_page_checks(case: dict[str, Any]) -> None:
    """The same cases run through the page's ``describedBy`` (page-modules.test.mjs)."""
    assert str(description_meta(case["description"])) == case["meta"]
    changed = {**case["description"], "nonce": "e" * 32}
    assert str(description_meta(changed)) != case["meta"]


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        ({"title": "x" * 101, "nonce": "0" * 32}, "at most 100"),
        ({"title": "a\tb", "nonce": "0" * 32}, "control"),
        ({"title": "a\u200bb", "nonce": "0" * 32}, "control"),  # zero-width space (Cf)
        ({"reference": "\u0378", "nonce": "0" * 32}, "control"),  # unassigned
        ({"title": "", "nonce": "0" * 32}, "title or a reference"),
        ({"title": "x"}, "nonce"),
        ({"title": "x", "nonce": "0" * 31}, "nonce"),
        ({"title": "x", "nonce": "0" * 32, "birth_date": "1970-01-01"}, "unknown fields"),
        (["x"], "JSON object"),
    ],
)
def test_malformed_descriptions_are_refused(description: Any, reason: str) -> None:
    with pytest.raises(LeafRecordError, match=reason):
        check_description(description)
