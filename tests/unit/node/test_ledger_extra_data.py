"""The node's headers use the QBFT package's extraData codec and seal hash."""

from __future__ import annotations

import time

import pytest
import rlp
from eth_keys import datatypes

from govchain_node.chain import Ledger
from govchain_node.codec.extra_data import (
    ExtraData,
    commit_seal_hash,
    decode_extra_data,
    encode_for_commit_seal,
)
from govchain_node.consensus.dev import DevEngine
from govchain_node.consensus.seals import seal_digest
from govchain_node.errors import InvalidBlockError
from govchain_node.genesis import dev_genesis
from govchain_node.keys import Account
from govchain_node.storage import MemoryKeyValueStore

VALIDATOR = Account.from_private_key(b"\x05" * 32)


def test_malformed_extra_data_is_an_invalid_block() -> None:
    with pytest.raises(InvalidBlockError):
        decode_extra_data(rlp.encode([b"\x00" * 31, [], [], b"", []]))
    with pytest.raises(InvalidBlockError):
        decode_extra_data(b"")


def test_unsealed_encoding_drops_seals_and_keeps_round() -> None:
    extra = ExtraData(b"\x00" * 32, (VALIDATOR.address,), None, 3, (b"\x01" * 65,))
    assert decode_extra_data(encode_for_commit_seal(extra)) == ExtraData(
        b"\x00" * 32, (VALIDATOR.address,), None, 3, ()
    )


def test_dev_seal_signs_the_qbft_commit_seal_hash() -> None:
    spec = dev_genesis(1337, 1_700_000_000, 30_000_000, VALIDATOR.address, [])
    ledger = Ledger(MemoryKeyValueStore(), spec)
    engine = DevEngine(VALIDATOR)
    built = ledger.build_block(
        [],
        timestamp=int(time.time()),
        coinbase=engine.coinbase,
        extra=engine.proposal_extra(ledger.head),
    )
    ledger.commit_block(built, engine.seal(built.block.header))
    header = ledger.head
    fields = rlp.decode(rlp.encode(header))
    assert seal_digest(header) == commit_seal_hash(fields)
    extra = decode_extra_data(header.extra_data)
    assert extra.validators == (VALIDATOR.address,)
    public_key = datatypes.Signature(extra.seals[0]).recover_public_key_from_msg_hash(
        commit_seal_hash(fields)
    )
    assert public_key.to_canonical_address() == VALIDATOR.address
