"""The notary's leaves are the core's: its bulk hasher splices into the core's bytes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from govchain_core.digest import parse_digest
from govchain_core.leaf import KINDS, LeafRecord, leaf_from_object
from govchain_notary.leaves import plain_leaf_hasher, plain_leaf_text
from govchain_notary.receipt_ids import parse_receipt_id, receipt_ids
from govchain_notary.storage.repos import LeafBlock, submission_of
from govchain_notary.submissions import item, prepare_leaves

hex64 = st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex())
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
devices = st.text(alphabet=[chr(c) for c in range(0x21, 0x7F)], min_size=1, max_size=128)


# Issuers with long runs of one digit try to collide with the hasher's sample marks.
issuers = addresses | st.sampled_from(["0x" + "9" * 40, "0x" + "a" * 40, "0x" + "8" * 8 + "9" * 32])


@given(
    kind=st.sampled_from(KINDS),
    digest=hex64,
    salt=st.binary(min_size=16, max_size=16),
    issuer=issuers,
)
def test_plain_hasher_matches_core(kind: str, digest: str, salt: bytes, issuer: str) -> None:
    record = LeafRecord(kind=kind, digest=parse_digest(digest), salt=salt, issuer=issuer)
    assert plain_leaf_hasher(kind, issuer)(digest[7:], salt.hex()) == record.leaf_hash()


@given(
    kind=st.sampled_from(KINDS),
    digest=hex64,
    salt=st.binary(min_size=16, max_size=16),
    issuer=issuers,
)
def test_plain_leaf_text_is_the_core_canonical_text(
    kind: str, digest: str, salt: bytes, issuer: str
) -> None:
    record = LeafRecord(kind=kind, digest=parse_digest(digest), salt=salt, issuer=issuer)
    spliced = plain_leaf_text(kind, issuer, bytes.fromhex(digest[7:]), salt)
    assert spliced.encode() == record.canonical_bytes()


@given(
    kind=st.sampled_from(KINDS),
    digest=hex64,
    issuer=addresses,
    meta=st.none() | hex64,
    iot=st.none() | st.tuples(devices, st.integers(0, 2**53 - 1)),
)
def test_prepared_leaves_are_core_leaf_records(
    kind: str, digest: str, issuer: str, meta: str | None, iot: tuple[str, int] | None
) -> None:
    """The hash appended at write time is the one the stored row rebuilds at read time."""
    device, seq = iot if iot else (None, None)
    leaves = prepare_leaves(kind, issuer, [item(digest, meta, device, seq)])
    (row,) = LeafBlock(issuer, 5, 1, 2.0, leaves).rows()
    stored = submission_of(row)
    record = leaf_from_object(json.loads(stored.leaf_json))
    assert record.canonical_bytes() == stored.leaf_json.encode()
    assert record.leaf_hash() == leaves.leaf_hashes[0] == stored.leaf_hash
    assert (str(record.digest), record.kind, record.issuer) == (digest, kind, issuer)
    assert (record.meta and str(record.meta), record.device, record.seq) == (meta, device, seq)
    assert stored.receipt_id == receipt_ids(5, leaves.tags)[0]
    assert parse_receipt_id(stored.receipt_id) == (5, leaves.tags)


def test_salts_and_tags_are_fresh() -> None:
    items = [item("sha256:" + "00" * 32)] * 100
    leaves = prepare_leaves("certificate", "0x" + "00" * 20, items)
    assert len(set(leaves.leaf_hashes)) == 100
    tags = {leaves.tags[8 * n : 8 * n + 8] for n in range(100)}
    assert len(tags) == 100


def test_receipt_ids_keep_the_api_form() -> None:
    ids = receipt_ids(2**40 + 3, bytes(range(16)))
    assert ids == ["0000010000000003" + "0001020304050607", "0000010000000004" + "08090a0b0c0d0e0f"]
    assert parse_receipt_id(ids[1]) == (2**40 + 4, bytes(range(8, 16)))
    for bad in ("0" * 31, "0" * 33, "A" * 32, "g" * 32, " " + "0" * 31, "8" + "0" * 31):
        assert parse_receipt_id(bad) is None


def test_a_mixed_batch_stores_rows_that_rebuild_each_hash() -> None:
    items = [
        item("sha256:" + "01" * 32),
        item("sha256:" + "02" * 32, meta="sha256:" + "03" * 32, device="eui-9", seq=7),
        item("sha256:" + "04" * 32),
    ]
    issuer = "0x" + "0a" * 20
    leaves = prepare_leaves("iot", issuer, items)
    stored = [submission_of(row) for row in LeafBlock(issuer, 10, 1, 2.0, leaves).rows()]
    assert [s.leaf_hash for s in stored] == leaves.leaf_hashes
    assert [s.digest for s in stored] == [entry["digest"] for entry in items]
    assert [s.log_index for s in stored] == [10, 11, 12]
    assert json.loads(stored[1].leaf_json)["seq"] == 7
    assert "device" not in json.loads(stored[0].leaf_json)
