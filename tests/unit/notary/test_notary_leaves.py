"""The fast leaf template must give exactly the core's RFC 8785 bytes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from govchain_core.digest import parse_digest
from govchain_core.leaf import KINDS, LeafRecord, leaf_from_object
from govchain_notary.leaves import leaf_hash_of, leaf_json
from govchain_notary.submissions import item, prepare_leaves

hex64 = st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex())
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
devices = st.text(alphabet=[chr(c) for c in range(0x21, 0x7F)], min_size=1, max_size=128)


@given(
    kind=st.sampled_from(KINDS),
    digest=hex64,
    salt=st.binary(min_size=16, max_size=16),
    issuer=addresses,
    meta=st.none() | hex64,
    iot=st.none() | st.tuples(devices, st.integers(0, 2**53 - 1)),
    supersedes=st.none() | st.binary(min_size=32, max_size=32),
)
def test_template_matches_core(
    kind: str,
    digest: str,
    salt: bytes,
    issuer: str,
    meta: str | None,
    iot: tuple[str, int] | None,
    supersedes: bytes | None,
) -> None:
    device, seq = iot if iot else (None, None)
    record = LeafRecord(
        kind=kind,
        digest=parse_digest(digest),
        salt=salt,
        issuer=issuer,
        meta=parse_digest(meta) if meta else None,
        device=device,
        seq=seq,
        supersedes=supersedes,
    )
    fast = leaf_json(
        kind, digest, salt, issuer, meta=meta, device=device, seq=seq, supersedes=supersedes
    )
    assert fast.encode() == record.canonical_bytes()
    assert leaf_hash_of(fast) == record.leaf_hash()


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
    device, seq = iot if iot else (None, None)
    (leaf,) = prepare_leaves(kind, issuer, [item(digest, meta, device, seq)])
    record = leaf_from_object(json.loads(leaf.leaf_json))
    assert record.canonical_bytes() == leaf.leaf_json.encode()
    assert record.leaf_hash() == leaf.leaf_hash
    assert (str(record.digest), record.kind, record.issuer) == (digest, kind, issuer)
    assert len(leaf.receipt_id) == 32


def test_salts_and_ids_are_fresh() -> None:
    items = [item("sha256:" + "00" * 32)] * 100
    leaves = prepare_leaves("certificate", "0x" + "00" * 20, items)
    assert len({leaf.leaf_hash for leaf in leaves}) == 100
    assert len({leaf.receipt_id for leaf in leaves}) == 100
