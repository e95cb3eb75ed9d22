"""RlpBlockOps: the core's view of real (RLP) blocks, and sealing a finalised block."""

from __future__ import annotations

import rlp

from govchain_node.codec.extra_data import ExtraData, encode_extra_data, header_extra
from govchain_node.codec.strict_rlp import Item
from govchain_node.consensus.qbft.blocks import RlpBlockOps, describe, seal_block, set_round
from govchain_node.consensus.qbft.validators import sort_validators
from govchain_node.signing import FakeKeyring


def make_block(number: int, round_: int) -> bytes:
    extra = ExtraData(bytes(32), (b"\x11" * 20, b"\x22" * 20), None, round_)
    header: list[Item] = [bytes([i]) * 4 for i in range(16)]
    header[2] = b"\x11" * 20  # coinbase
    header[8] = number.to_bytes((number.bit_length() + 7) // 8, "big")
    header[12] = encode_extra_data(extra)
    return bytes(rlp.encode([header, [b"tx1", b"tx2"], []]))


def test_describe_reads_height_round_and_hashes() -> None:
    info = describe(make_block(5, 2))
    assert (info.height, info.round) == (5, 2)
    assert info.digest != info.seal_hash


def test_a_reproposal_keeps_the_digest_and_changes_the_seal_hash() -> None:
    block = make_block(5, 0)
    moved = set_round(block, 3)
    assert describe(moved).round == 3
    assert describe(moved).digest == describe(block).digest
    assert describe(moved).seal_hash != describe(block).seal_hash


def test_sealing_keeps_both_hashes_and_the_seals_verify() -> None:
    ring = FakeKeyring()
    signers = [ring.new_signer(bytes([i])) for i in range(3)]
    block = make_block(9, 1)
    info = describe(block)
    seals = [s.sign(info.seal_hash) for s in signers]
    sealed = seal_block(block, seals)
    assert describe(sealed) == info
    header = rlp.decode(sealed)[0]
    recovered = sort_validators(tuple(ring.recover(info.seal_hash, s) or b"" for s in seals))
    assert list(header_extra(header).seals) == seals
    assert recovered == sort_validators(tuple(s.address for s in signers))


def test_digest_is_besus_header_hash_without_seals_unless_asked_for_the_round_free_one() -> None:
    block = make_block(5, 2)
    info = describe(block)
    besu = RlpBlockOps(lambda b: True).inspect(block)
    plain = RlpBlockOps(lambda b: True, round_in_digest=False).inspect(block)
    assert besu is not None
    assert plain is not None
    assert besu.digest == info.seal_hash
    assert plain.digest == info.digest


def test_undecodable_blocks_are_none_not_errors() -> None:
    ops = RlpBlockOps(lambda block: True)
    assert ops.inspect(b"\x01\x02") is None
    assert ops.inspect(bytes(rlp.encode([[b"short"], [], []]))) is None
    assert ops.is_valid(b"anything")
