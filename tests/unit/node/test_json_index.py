"""The RPC's JSON index is a commit listener of the ledger, written in the block's commit."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from eth.abc import BlockAPI, ReceiptAPI

from govchain_node.chain import Ledger
from govchain_node.consensus.dev import DevEngine
from govchain_node.rpc.index import JsonIndex
from govchain_node.storage import BlockBufferedDB, MemoryKeyValueStore
from tests.support.dev_ledger import VALIDATOR, seal_next, spec, transfer


class Refusing:
    """A listener whose write fails: the whole commit must fail with it."""

    def block_committed(
        self,
        db: BlockBufferedDB,
        block: BlockAPI,
        receipts: Sequence[ReceiptAPI],
        senders: Sequence[bytes],
    ) -> None:
        raise RuntimeError("disk full")


def test_a_new_chain_serves_its_genesis_block_at_once() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    index = JsonIndex(ledger)
    raw = index.block_json(ledger.head, False)
    assert isinstance(raw, bytes)
    genesis = json.loads(raw)
    assert genesis["number"] == "0x0"
    assert genesis["hash"] == "0x" + ledger.head.hash.hex()


def test_the_index_is_written_in_the_blocks_own_commit() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    index = JsonIndex(ledger)
    ledger.add_commit_listener(Refusing())
    with pytest.raises(RuntimeError, match="disk full"):
        seal_next(ledger, [transfer(0)], DevEngine(VALIDATOR))
    assert ledger.head.block_number == 0
    assert index.transaction_json(transfer(0).hash) is None
    assert index.receipt_json(transfer(0).hash) is None


def test_views_kept_from_the_commit_equal_the_views_read_back() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    index = JsonIndex(ledger)
    _built, committed = seal_next(ledger, [transfer(0), transfer(1)], DevEngine(VALIDATOR))
    kept = index.views(committed.header)
    read_back = JsonIndex(ledger).views(committed.header)
    assert kept == read_back
    assert kept.number == 1
    assert kept.header_json["hash"] == "0x" + committed.header.hash.hex()
    assert index.block_transaction_hashes(committed.header) == list(committed.tx_hashes)
