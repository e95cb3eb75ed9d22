"""Message codec: round trips, Besu's layout and signing hash, strict decoding, crypto."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_node.codec.errors import DecodeError
from govchain_node.codec.strict_rlp import enc_bytes, enc_int, enc_list
from govchain_node.consensus.qbft.encoding import (
    decode_message,
    decode_persisted,
    encode_message,
    encode_payload,
    encode_persisted,
    signing_hash,
)
from govchain_node.consensus.qbft.messages import (
    COMMIT,
    PREPARE,
    PROPOSAL,
    ROUND_CHANGE,
    Commit,
    CommitPayload,
    Message,
    Prepare,
    PreparedRound,
    PreparePayload,
    Proposal,
    ProposalPayload,
    RoundChange,
    RoundChangePayload,
    Signed,
)
from govchain_node.consensus.qbft.state import Persisted, PreparedCertificate
from govchain_node.signing import (
    FakeKeyring,
    Secp256k1Recoverer,
    Secp256k1Signer,
    keccak256,
)
from tests.simulation.blocks import make_block

heights = st.integers(0, 2**63)
rounds = st.integers(0, 2**32 - 1)
digests = st.binary(min_size=32, max_size=32)
sigs = st.binary(min_size=65, max_size=65)
block_strategy = st.builds(
    make_block,
    heights,
    digests,
    st.binary(min_size=20, max_size=20),
    st.binary(max_size=64),
    rounds,
)
prepares = st.builds(Signed, st.builds(PreparePayload, heights, rounds, digests), sigs)
round_changes = st.builds(
    Signed,
    st.builds(
        RoundChangePayload, heights, rounds, st.none() | st.builds(PreparedRound, rounds, digests)
    ),
    sigs,
)
messages: st.SearchStrategy[Message] = st.one_of(
    st.builds(
        Proposal,
        st.builds(Signed, st.builds(ProposalPayload, heights, rounds, block_strategy), sigs),
        st.lists(round_changes, max_size=4).map(tuple),
        st.lists(prepares, max_size=4).map(tuple),
    ),
    st.builds(Prepare, prepares),
    st.builds(
        Commit, st.builds(Signed, st.builds(CommitPayload, heights, rounds, digests, sigs), sigs)
    ),
    st.builds(
        RoundChange,
        round_changes,
        st.none() | block_strategy,
        st.lists(prepares, max_size=4).map(tuple),
    ),
)


@given(messages)
def test_every_message_round_trips(message: Message) -> None:
    code, data = encode_message(message)
    assert decode_message(code, data) == message


@given(messages, st.binary(min_size=1, max_size=3))
def test_trailing_bytes_are_rejected(message: Message, extra: bytes) -> None:
    code, data = encode_message(message)
    with pytest.raises(DecodeError):
        decode_message(code, data + extra)


@given(messages, st.data())
def test_truncation_never_crashes_and_is_rejected(message: Message, data: st.DataObject) -> None:
    code, raw = encode_message(message)
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(DecodeError):
        decode_message(code, raw[:cut])


def test_codes_are_besus() -> None:
    assert (PROPOSAL, PREPARE, COMMIT, ROUND_CHANGE) == (0x12, 0x13, 0x14, 0x15)


def test_prepare_layout_and_signing_hash() -> None:
    payload = PreparePayload(7, 2, b"\xab" * 32)
    body = enc_list([enc_int(7), enc_int(2), enc_bytes(b"\xab" * 32)])
    assert encode_payload(payload) == body
    assert signing_hash(payload) == keccak256(enc_list([enc_int(0x13), body]))
    sig = b"\x01" * 65
    assert encode_message(Prepare(Signed(payload, sig))) == (0x13, enc_list([body, enc_bytes(sig)]))


def test_proposal_embeds_the_block_as_a_list_not_a_byte_string() -> None:
    block = make_block(1, bytes(32), bytes(20), b"x", 0)
    payload = ProposalPayload(1, 0, block)
    assert encode_payload(payload) == enc_list([enc_int(1), enc_int(0), block])


def test_round_change_without_certificate_writes_empty_lists() -> None:
    signed = Signed(RoundChangePayload(3, 1, None), b"\x02" * 65)
    body = enc_list([enc_int(3), enc_int(1), enc_list([])])
    expected = enc_list([enc_list([body, enc_bytes(b"\x02" * 65)]), enc_list([]), enc_list([])])
    assert encode_message(RoundChange(signed)) == (0x15, expected)


@pytest.mark.parametrize(
    "data",
    [
        enc_list([enc_list([enc_int(1), enc_int(0), enc_bytes(bytes(31))]), enc_bytes(bytes(65))]),
        enc_list([enc_list([enc_int(1), enc_int(0), enc_bytes(bytes(32))]), enc_bytes(bytes(64))]),
        enc_list(
            [
                enc_list([enc_bytes(b"\x00\x01"), enc_int(0), enc_bytes(bytes(32))]),
                enc_bytes(bytes(65)),
            ]
        ),
        enc_list([enc_list([enc_int(1), enc_int(0)]), enc_bytes(bytes(65))]),
        b"\x80",
    ],
)
def test_malformed_prepares_are_rejected(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_message(PREPARE, data)


def test_unknown_code_is_rejected() -> None:
    with pytest.raises(DecodeError):
        decode_message(0x16, enc_list([]))


def test_secp256k1_sign_and_recover() -> None:
    signer = Secp256k1Signer(b"\x01" * 32)
    digest = keccak256(b"block")
    signature = signer.sign(digest)
    assert len(signature) == 65
    assert signature[64] in (0, 1)
    recoverer = Secp256k1Recoverer()
    assert recoverer.recover(digest, signature) == signer.address
    assert recoverer.recover(keccak256(b"other"), signature) != signer.address
    assert recoverer.recover(digest, b"\x00" * 65) is None
    assert recoverer.recover(digest, b"short") is None
    # Known address of private key 0x01…01 (as eth-account computes it).
    assert signer.address.hex() == "1a642f0e3c3af545e7acbd38b07251b3990914f1"


def test_fake_keyring_rejects_forgeries() -> None:
    ring = FakeKeyring()
    alice = ring.new_signer(b"alice")
    digest = keccak256(b"m")
    assert ring.recover(digest, alice.sign(digest)) == alice.address
    assert ring.recover(keccak256(b"n"), alice.sign(digest)) is None
    assert ring.recover(digest, alice.address + bytes(45)) is None


certificates_full = st.builds(
    PreparedCertificate, rounds, digests, block_strategy, st.lists(prepares, max_size=4).map(tuple)
)


@given(st.builds(Persisted, heights, rounds, st.none() | certificates_full))
def test_persisted_record_round_trips(record: Persisted) -> None:
    assert decode_persisted(encode_persisted(record)) == record


def test_persisted_record_rejects_trailing_bytes() -> None:
    data = encode_persisted(Persisted(1, 0, None))
    with pytest.raises(DecodeError):
        decode_persisted(data + b"\x00")
