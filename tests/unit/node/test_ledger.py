"""Ledger: genesis, one-pass block building, sealing, commit, import and reopening."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from eth_typing import Address

from govchain_node.chain import Ledger
from govchain_node.codec.extra_data import decode_extra_data
from govchain_node.consensus.dev import DevEngine
from govchain_node.errors import ConfigError, InvalidBlockError
from govchain_node.genesis import dev_genesis
from govchain_node.keys import Account
from govchain_node.rpc.index import JsonIndex
from govchain_node.storage import LmdbStore, MemoryKeyValueStore
from tests.support.dev_ledger import CHAIN_ID, USER, VALIDATOR, seal_next, spec, transfer


def test_genesis_carries_validators_in_qbft_extra_data() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    assert ledger.head.block_number == 0
    assert decode_extra_data(ledger.head.extra_data).validators == (VALIDATOR.address,)
    assert ledger.head.base_fee_per_gas == 0
    assert ledger.state_at(ledger.head).get_balance(Address(USER.address)) > 0


def test_block_with_transactions_is_sealed_and_indexed() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    index = JsonIndex(ledger)
    engine = DevEngine(VALIDATOR)
    _built, committed = seal_next(ledger, [transfer(0), transfer(1)], engine)
    head = ledger.head
    assert head.block_number == 1
    assert committed.tx_hashes == tuple(t.hash for t in (transfer(0), transfer(1)))
    engine.verify(head, ledger.header_by_number(0))  # type: ignore[arg-type]
    receipt = json.loads(index.receipt_json(transfer(1).hash) or b"{}")
    assert receipt["blockHash"] == "0x" + head.hash.hex()
    assert receipt["cumulativeGasUsed"] == hex(42_000)
    assert receipt["gasUsed"] == hex(21_000)
    assert ledger.state_at(head).get_nonce(Address(USER.address)) == 2


def test_invalid_transactions_are_skipped_not_fatal() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    too_rich = transfer(1, value=10**40)
    built, _ = seal_next(ledger, [transfer(0), too_rich, transfer(2)], DevEngine(VALIDATOR))
    assert [tx.nonce for tx in built.block.transactions] == [0]
    # The unaffordable one is reported; the later nonce is merely held back.
    assert [(s.tx_hash, s.permanent) for s in built.skipped] == [(too_rich.hash, True)]


def test_block_gas_limit_holds_back_the_rest_of_a_sender() -> None:
    small = dev_genesis(CHAIN_ID, 1_700_000_000, 50_000, VALIDATOR.address, [USER.address])
    ledger = Ledger(MemoryKeyValueStore(), small)
    built, _ = seal_next(ledger, [transfer(n) for n in range(4)], DevEngine(VALIDATOR))
    assert len(built.block.transactions) == 2
    assert [s.permanent for s in built.skipped] == [False]


def test_import_reexecutes_and_rejects_tampering() -> None:
    engine = DevEngine(VALIDATOR)
    proposer = Ledger(MemoryKeyValueStore(), spec())
    _built, _ = seal_next(proposer, [transfer(0)], engine)
    block = proposer.block(proposer.head)
    extra = decode_extra_data(block.header.extra_data)

    follower = Ledger(MemoryKeyValueStore(), spec())
    imported = follower.import_block(block, extra)
    follower.commit_block(imported, extra.seals)
    assert follower.head.hash == proposer.head.hash

    other = Ledger(MemoryKeyValueStore(), spec())
    tampered = block.copy(header=block.header.copy(state_root=b"\x00" * 32))
    with pytest.raises(InvalidBlockError):
        other.import_block(tampered, extra)
    assert other.head.block_number == 0


def test_seal_by_a_non_validator_is_rejected() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    stranger = DevEngine(Account.from_private_key(b"\x09" * 32))
    assert not stranger.may_propose(ledger.head)
    built = ledger.build_block(
        [],
        timestamp=int(time.time()),
        coinbase=stranger.coinbase,
        extra=DevEngine(VALIDATOR).proposal_extra(ledger.head),
    )
    ledger.commit_block(built, stranger.seal(built.block.header))
    with pytest.raises(InvalidBlockError):
        DevEngine(VALIDATOR).verify(ledger.head, ledger.header_by_number(0))  # type: ignore[arg-type]


def test_reopen_keeps_head_and_refuses_other_genesis(tmp_path: Path) -> None:
    ledger = Ledger(LmdbStore(tmp_path / "db"), spec())
    seal_next(ledger, [transfer(0)], DevEngine(VALIDATOR))
    head = ledger.head.hash
    ledger.close()
    reopened = Ledger(LmdbStore(tmp_path / "db"), spec())
    assert reopened.head.hash == head
    reopened.close()
    other = dev_genesis(CHAIN_ID, 1_800_000_000, 30_000_000, VALIDATOR.address, [USER.address])
    with pytest.raises(ConfigError):
        Ledger(LmdbStore(tmp_path / "db"), other)


def test_timestamps_strictly_increase() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    engine = DevEngine(VALIDATOR)
    for _ in range(3):
        built = ledger.build_block(
            [],
            timestamp=1_700_000_000,
            coinbase=engine.coinbase,
            extra=engine.proposal_extra(ledger.head),
        )
        ledger.commit_block(built, engine.seal(built.block.header))
    stamps = [ledger.header_by_number(n).timestamp for n in range(4)]  # type: ignore[union-attr]
    assert stamps == sorted(set(stamps))
