"""The JSON-RPC index: geth-shaped JSON of every block, transaction, receipt and log.

A commit listener of the ledger (:meth:`~govchain_node.chain.Ledger.add_commit_listener`):
the JSON of a block is written into the same atomic, fsync'd commit as the block itself,
so a block the node serves is always indexed, yet the ledger knows nothing of JSON. The
RPC methods read it back as ready-made bytes; subscriptions get the views of the block
just committed (:meth:`JsonIndex.views`) without reading them back.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI

from govchain_node.chain import Ledger
from govchain_node.formatting import (
    Json,
    format_block_summary,
    format_log,
    format_receipt,
    format_transaction,
    hex_bytes,
)
from govchain_node.storage import BlockBufferedDB

_TX_KEY = b"gc:t:"
_RECEIPT_KEY = b"gc:r:"
_BLOCK_KEY = b"gc:b:"
_LOGS_KEY = b"gc:l:"


def _number_key(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">Q", number)


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


class IndexedLog(NamedTuple):
    """A log as stored in the index: filter keys beside its ready-made RPC JSON."""

    address: str
    topics: tuple[str, ...]
    json: str


@dataclasses.dataclass(frozen=True)
class BlockViews:
    """What subscriptions publish for a new head: its header JSON and its logs."""

    number: int
    block_hash: bytes
    header_json: Json
    logs: tuple[Json, ...]


class JsonIndex:
    """Writes the index as the ledger commits, and reads it for the RPC methods."""

    def __init__(self, ledger: Ledger) -> None:
        self._db = ledger.buffer
        self._chain_id = ledger.chain_id
        self._block_json_cache: OrderedDict[bytes, bytes] = OrderedDict()
        self._logs_cache: OrderedDict[int, tuple[IndexedLog, ...]] = OrderedDict()
        self._last: BlockViews | None = None
        ledger.add_commit_listener(self)
        genesis = ledger.header_by_number(0)
        if genesis is not None and self._block_json(genesis.hash) is None:
            self.block_committed(self._db, ledger.block(genesis), (), ())
            self._db.flush()  # a new chain: its genesis block is served at once

    # ----------------------------------------------------------------- writing

    def block_committed(
        self,
        db: BlockBufferedDB,
        block: BlockAPI,
        receipts: Sequence[ReceiptAPI],
        senders: Sequence[bytes],
    ) -> None:
        """Write ``block``'s JSON into ``db``, the ledger's pending commit."""
        block_hash = block.header.hash
        number = block.header.block_number
        all_logs: list[Json] = []
        previous_gas = 0
        log_index = 0
        for index, (tx, receipt, sender) in enumerate(
            zip(block.transactions, receipts, senders, strict=True)
        ):
            tx_logs = []
            for log in receipt.logs:
                tx_logs.append(format_log(log, block_hash, number, tx.hash, index, log_index))
                log_index += 1
            all_logs.extend(tx_logs)
            receipt_json = format_receipt(
                tx, sender, receipt, previous_gas, block_hash, number, index, tx_logs
            )
            previous_gas = receipt.gas_used
            db[_TX_KEY + tx.hash] = _dumps(
                format_transaction(tx, sender, block_hash, number, index, self._chain_id)
            )
            db[_RECEIPT_KEY + tx.hash] = _dumps(receipt_json)
        summary = format_block_summary(block)
        summary["transactions"] = [hex_bytes(tx.hash) for tx in block.transactions]
        db[_BLOCK_KEY + block_hash] = _dumps(summary)
        if all_logs:
            db[_number_key(_LOGS_KEY, number)] = _dumps(
                [[log["address"].lower(), log["topics"], _dumps(log).decode()] for log in all_logs]
            )
        header_json = {k: v for k, v in summary.items() if k != "transactions"}
        self._last = BlockViews(number, block_hash, header_json, tuple(all_logs))

    def views(self, header: BlockHeaderAPI) -> BlockViews:
        """The views of ``header``'s block: kept from its commit if it was the last one."""
        last = self._last
        if last is not None and last.block_hash == header.hash:
            return last
        summary: dict[str, Any] = json.loads(self._block_json(header.hash) or b"{}")
        summary.pop("transactions", None)
        logs = tuple(json.loads(log.json) for log in self.block_logs(header.block_number))
        return BlockViews(header.block_number, header.hash, summary, logs)

    # ----------------------------------------------------------------- reading

    def _block_json(self, block_hash: bytes) -> bytes | None:
        cached = self._block_json_cache.get(block_hash)
        if cached is not None:
            return cached
        raw = self._db.committed(_BLOCK_KEY + block_hash)
        if raw is None:
            return None
        self._block_json_cache[block_hash] = raw
        if len(self._block_json_cache) > 2048:
            self._block_json_cache.popitem(last=False)
        return raw

    def block_json(self, header: BlockHeaderAPI, full_transactions: bool) -> Json | bytes | None:
        """The block as JSON bytes (hashes only) or a dict with full transactions."""
        raw = self._block_json(header.hash)
        if raw is None or not full_transactions:
            return raw
        summary: dict[str, Any] = json.loads(raw)
        summary["transactions"] = [
            json.loads(self.transaction_json(bytes.fromhex(h[2:])) or b"null")
            for h in summary["transactions"]
        ]
        return summary

    def transaction_json(self, tx_hash: bytes) -> bytes | None:
        return self._db.committed(_TX_KEY + tx_hash)

    def receipt_json(self, tx_hash: bytes) -> bytes | None:
        return self._db.committed(_RECEIPT_KEY + tx_hash)

    def block_logs(self, number: int) -> tuple[IndexedLog, ...]:
        """The block's logs as (lower-case address, topics, log JSON), for filtering
        without building a dict per log; recent blocks are kept decoded in memory."""
        cached = self._logs_cache.get(number)
        if cached is not None:
            return cached
        raw = self._db.committed(_number_key(_LOGS_KEY, number))
        if raw is None:
            return ()
        entries = tuple(
            IndexedLog(address, tuple(topics), text) for address, topics, text in json.loads(raw)
        )
        self._logs_cache[number] = entries
        if len(self._logs_cache) > 16_384:
            self._logs_cache.popitem(last=False)
        return entries

    def block_transaction_hashes(self, header: BlockHeaderAPI) -> list[bytes]:
        raw = self._block_json(header.hash)
        if raw is None:
            return []
        return [bytes.fromhex(h[2:]) for h in json.loads(raw)["transactions"]]
