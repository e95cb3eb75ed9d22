"""extraData codec: Besu's known encoding, strictness, and the two header hashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_node.codec.errors import CodecError, ExtraDataError
from govchain_node.codec.extra_data import (
    ExtraData,
    Vote,
    block_hash,
    commit_seal_hash,
    decode_extra_data,
    encode_extra_data,
    encode_for_block_hash,
    encode_for_commit_seal,
    header_with_extra,
)
from govchain_node.codec.strict_rlp import enc_bytes, enc_int, enc_list
from govchain_node.errors import InvalidBlockError
from govchain_node.signing import keccak256

# Besu QbftExtraDataCodecTest: vanity 0x01..0x20, validators [0x…01, 0x…02], vote add 0x…01,
# round 0xFEDCBA, seals (r=1, s=10, v=0) and (r=10, s=1, v=0).
BESU_RAW = bytes.fromhex(
    "f8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000"
    "000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000"
    "00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000"
    "0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a"
    "00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000"
    "00000000000000000000000000000000000000000000000100"
)


def addr(i: int) -> bytes:
    return i.to_bytes(20, "big")


def seal(r: int, s: int, v: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


BESU_VALUE = ExtraData(
    vanity=bytes(range(1, 33)),
    validators=(addr(1), addr(2)),
    vote=Vote(addr(1), add=True),
    round=0xFEDCBA,
    seals=(seal(1, 10, 0), seal(10, 1, 0)),
)


# Besu documentation, "Configure QBFT consensus": genesis extraData for four validators
# (no vote, round 0 written as the empty scalar 0x80, no seals).
BESU_GENESIS = bytes.fromhex(
    "f87aa00000000000000000000000000000000000000000000000000000000000000000f854"
    "9464a702e6263b7297a96638cac6ae65e6541f4169943923390ad55e90c237593b3b0e401f3b08a03185"
    "94aefdb9a738c9f433e5b6b212a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78"
    "c080c0"
)


def test_besu_documented_genesis_extra_data() -> None:
    value = decode_extra_data(BESU_GENESIS)
    assert [v.hex()[:4] for v in value.validators] == ["64a7", "3923", "aefd", "c7ee"]
    assert (value.vote, value.round, value.seals, value.vanity) == (None, 0, (), bytes(32))
    assert encode_extra_data(value) == BESU_GENESIS


def test_encoding_matches_besu_known_answer() -> None:
    assert encode_extra_data(BESU_VALUE) == BESU_RAW


def test_decoding_besu_known_answer() -> None:
    assert decode_extra_data(BESU_RAW) == BESU_VALUE


def test_without_seals_keeps_the_round_and_without_round_zeroes_it() -> None:
    no_seals = decode_extra_data(encode_for_commit_seal(BESU_VALUE))
    assert no_seals == BESU_VALUE.with_seals(())
    no_round = decode_extra_data(encode_for_block_hash(BESU_VALUE))
    assert no_round == BESU_VALUE.with_seals(()).with_round(0)


def test_drop_vote_is_rlp_null_and_zero_byte_is_read_as_drop() -> None:
    value = ExtraData(bytes(32), (), Vote(addr(1), add=False))
    encoded = encode_extra_data(value)
    assert bytes.fromhex("d6" + "94" + addr(1).hex() + "80") in encoded
    legacy = encoded.replace(
        bytes.fromhex("d6" + "94" + addr(1).hex() + "80"),
        bytes.fromhex("d6" + "94" + addr(1).hex() + "00"),
    )
    assert decode_extra_data(legacy).vote == Vote(addr(1), add=False)


def _raw(vote: bytes, round_item: bytes, extra: bytes = b"") -> bytes:
    items = [enc_bytes(bytes(32)), enc_list([]), vote, round_item, enc_list([])]
    return enc_list(items) + extra


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (_raw(enc_list([]), enc_bytes(b"\x00\xdc\xba")), "round with a leading zero"),
        (_raw(enc_list([enc_bytes(addr(1)), enc_bytes(b"\xaa")]), enc_int(1)), "vote type 0xaa"),
        (_raw(enc_list([]), enc_int(1), b"\x00"), "trailing byte"),
        (_raw(enc_list([]), enc_int(2**32)), "round beyond 32 bits"),
        (
            enc_list([enc_bytes(bytes(31)), enc_list([]), enc_list([]), enc_int(0), enc_list([])]),
            "31-byte vanity",
        ),
        (b"", "empty"),
        (b"\xc0", "empty list"),
    ],
)
def test_strict_decoder_rejects(data: bytes, why: str) -> None:
    with pytest.raises(ExtraDataError):
        decode_extra_data(data)


def test_errors_share_the_package_root() -> None:
    assert issubclass(ExtraDataError, CodecError)
    assert issubclass(ExtraDataError, InvalidBlockError)


addresses = st.binary(min_size=20, max_size=20)


@given(
    vanity=st.binary(min_size=32, max_size=32),
    validators=st.lists(addresses, max_size=8),
    vote=st.none() | st.builds(Vote, addresses, st.booleans()),
    round_=st.integers(0, 2**32 - 1),
    seals=st.lists(st.binary(min_size=65, max_size=65), max_size=5),
)
def test_round_trip(
    vanity: bytes, validators: list[bytes], vote: Vote | None, round_: int, seals: list[bytes]
) -> None:
    value = ExtraData(vanity, tuple(validators), vote, round_, tuple(seals))
    assert decode_extra_data(encode_extra_data(value)) == value


def _header(extra: ExtraData) -> list[bytes | list[object]]:
    fields: list[bytes | list[object]] = [bytes([i]) * 3 for i in range(15)]
    return header_with_extra(fields, extra)  # type: ignore[arg-type, return-value]


def test_block_hash_ignores_seals_and_round_but_seal_hash_binds_the_round() -> None:
    base = ExtraData(bytes(32), (addr(1), addr(2)), None, 0)
    r0 = _header(base)
    r3 = _header(base.with_round(3))
    r3_sealed = _header(base.with_round(3).with_seals([seal(1, 2, 0)]))
    assert block_hash(r0) == block_hash(r3) == block_hash(r3_sealed)  # type: ignore[arg-type]
    assert commit_seal_hash(r3) == commit_seal_hash(r3_sealed)  # type: ignore[arg-type]
    assert commit_seal_hash(r0) != commit_seal_hash(r3)  # type: ignore[arg-type]


def test_seal_hash_is_keccak_of_the_header_with_an_empty_seal_list() -> None:
    extra = ExtraData(bytes(32), (addr(1),), None, 7, (seal(1, 1, 1),))
    header = _header(extra)
    expected_fields = [enc_bytes(f) for f in header[:12]]  # type: ignore[arg-type]
    expected_fields.append(enc_bytes(encode_for_commit_seal(extra)))
    expected_fields += [enc_bytes(f) for f in header[13:]]  # type: ignore[arg-type]
    assert commit_seal_hash(header) == keccak256(enc_list(expected_fields))  # type: ignore[arg-type]
