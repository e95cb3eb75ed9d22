"""The ledger: genesis, one-pass block building, atomic block commit and lookups.

Block production is split so that any consensus engine can drive it:

1. :meth:`Ledger.build_block` executes transactions on the head in ONE pass (one state
   root at the end, never ``Chain.apply_transaction`` per transaction) and returns an
   unsealed :class:`BuiltBlock`; invalid transactions are skipped and reported;
2. the engine seals it (``--dev``: the single validator signs; QBFT: commit seals of a
   quorum) and calls :meth:`Ledger.commit_block`, which persists state, header, body,
   receipts, the RPC index and the canonical head in ONE atomic, fsync'd commit;
3. a follower or validator that receives a sealed block calls :meth:`Ledger.import_block`,
   which re-executes it and commits only if every root matches.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    StateAPI,
)
from eth.exceptions import BlockNotFound, CanonicalHeadNotFound, HeaderNotFound
from eth_utils.exceptions import ValidationError

from govchain_node.callstate import call_state_class
from govchain_node.consensus.extra_data import ExtraData, encode_extra_data, encode_for_commit_seal
from govchain_node.errors import ChainError, ConfigError, InvalidBlockError
from govchain_node.formatting import (
    Json,
    format_block_summary,
    format_log,
    format_receipt,
    format_transaction,
    hex_bytes,
)
from govchain_node.genesis import BFT_MIX_HASH, ZERO_HASH, GenesisSpec, genesis_matches
from govchain_node.ordered_trie import ordered_trie_root
from govchain_node.storage import BlockBufferedDB, KeyValueStore, open_database
from govchain_node.vm import GovchainVM, make_chain_class

_TX_KEY = b"gc:t:"
_RECEIPT_KEY = b"gc:r:"
_BLOCK_KEY = b"gc:b:"
_LOGS_KEY = b"gc:l:"


def _number_key(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">Q", number)


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


BLOB_TX_TYPE = 3


class _RunningTotals:
    """Gas used and bloom while a block is executed (read by py-evm as its "header")."""

    __slots__ = ("bloom", "gas_limit", "gas_used")

    def __init__(self, gas_limit: int) -> None:
        self.gas_limit = gas_limit
        self.gas_used = 0
        self.bloom = 0


class IndexedLog(NamedTuple):
    """A log as stored in the index: filter keys beside its ready-made RPC JSON."""

    address: str
    topics: tuple[str, ...]
    json: str


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A transaction left out of a block, with the reason (for the pool to act on)."""

    tx_hash: bytes
    reason: str
    permanent: bool


@dataclasses.dataclass(frozen=True)
class BuiltBlock:
    """An executed block whose header ``extraData`` has no seals yet."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    senders: tuple[bytes, ...]
    extra: ExtraData
    skipped: tuple[Skipped, ...]


@dataclasses.dataclass(frozen=True)
class CommittedBlock:
    """A block that is now the canonical head, with its RPC views."""

    header: BlockHeaderAPI
    tx_hashes: tuple[bytes, ...]
    senders: tuple[bytes, ...]
    header_json: Json
    logs: tuple[Json, ...]


def _same_block(built: BuiltBlock, block: BlockAPI, extra: ExtraData) -> bool:
    """Whether ``block`` is ``built``: the same seal-free hash (every executed field) and
    the same round, vote and validators (the hash leaves the round out)."""
    return built.block.header.hash == block.header.hash and built.extra.with_seals(
        ()
    ) == extra.with_seals(())


class Ledger:
    """One chain in one key-value store.

    One thread at a time builds and commits; the event loop may read meanwhile (a dev
    node builds in a worker thread): chain-index lookups then see committed blocks only.
    """

    def __init__(self, store: KeyValueStore, genesis: GenesisSpec) -> None:
        self.genesis = genesis
        self._store = store
        self._db, self._buffer = open_database(store)
        chain_class = make_chain_class(genesis.chain_id)
        try:
            self._chain: Any = chain_class(self._db)
            head = self._chain.get_canonical_head()
        except CanonicalHeadNotFound:
            self._chain = chain_class.from_genesis(
                self._db, genesis.header_params(), cast(Any, genesis.state())
            )
            head = self._chain.get_canonical_head()
            self._index_block(self._chain.get_canonical_block_by_number(0), (), ())
            self._buffer.flush()
        genesis_header = self._chain.get_canonical_block_header_by_number(0)
        if not genesis_matches(genesis, genesis_header):
            raise ConfigError("the database belongs to another chain (genesis mismatch)")
        if self._chain.chaindb.get_canonical_block_hash(head.block_number) != head.hash:
            raise ConfigError(
                "the database stores blocks under hashes that include the commit seals "
                "(written before the seal-free block hash); start this node on a new data dir "
                "(a consortium node resyncs the chain from its peers)"
            )
        self._head = head
        #: A built or validated block whose state writes stay buffered until it is
        #: committed, so that a QBFT node executes each block once, not once to vote on
        #: it and again to commit it.
        self._held: BuiltBlock | None = None
        self._block_json_cache: OrderedDict[bytes, bytes] = OrderedDict()
        #: Scratch states for calls, per thread: each RPC call worker runs its own.
        self._call_states = threading.local()
        self._logs_cache: OrderedDict[int, tuple[IndexedLog, ...]] = OrderedDict()

    @property
    def chain_id(self) -> int:
        return self.genesis.chain_id

    @property
    def head(self) -> BlockHeaderAPI:
        return self._head

    @property
    def buffer(self) -> BlockBufferedDB:
        return self._buffer

    def close(self) -> None:
        self._buffer.discard()
        self._store.close()

    # ----------------------------------------------------------------- building

    def build_block(
        self,
        transactions: Iterable[SignedTransactionAPI],
        *,
        timestamp: int,
        coinbase: bytes,
        extra: ExtraData,
        gas_limit: int | None = None,
        strict: bool = False,
    ) -> BuiltBlock:
        """Execute ``transactions`` on the head in one pass.

        With ``strict=False`` (proposing) an invalid transaction is skipped and reported;
        with ``strict=True`` (importing) it makes the whole block invalid.
        The state writes stay in the block buffer until :meth:`commit_block`; a block
        held for commit (:meth:`hold`) is discarded first.
        """
        if self._held is not None:
            self.discard_built()
        parent = self._head
        header = GovchainVM.create_header_from_parent(
            parent,
            timestamp=max(timestamp, parent.timestamp + 1),
            gas_limit=gas_limit if gas_limit is not None else parent.gas_limit,
            coinbase=coinbase,
            extra_data=encode_for_commit_seal(extra),
            mix_hash=BFT_MIX_HASH,
            parent_beacon_block_root=ZERO_HASH,
        )
        vm = self._chain.get_vm(header)
        try:
            return self._execute(vm, header, transactions, extra, strict)
        except Exception:
            self.discard_built()
            raise

    def _execute(
        self,
        vm: Any,
        header: BlockHeaderAPI,
        transactions: Iterable[SignedTransactionAPI],
        extra: ExtraData,
        strict: bool,
    ) -> BuiltBlock:
        block = vm.get_block()
        vm.block_preprocessing(block)
        # py-evm threads a new header copy (a deep copy) through every transaction just
        # to carry gas used and bloom; a two-field stand-in does the same job.
        running = _RunningTotals(header.gas_limit)
        included: list[SignedTransactionAPI] = []
        receipts: list[ReceiptAPI] = []
        senders: list[bytes] = []
        skipped: list[Skipped] = []
        # A sender whose transaction was left out cannot have later nonces included.
        held_back: set[bytes] = set()
        for tx in transactions:
            sender = bytes(tx.sender)
            if sender in held_back:
                continue
            problem = None
            if (getattr(tx, "type_id", None) or 0) == BLOB_TX_TYPE:
                problem, permanent = "blob transactions are not supported", True
            elif tx.gas > running.gas_limit - running.gas_used:
                problem, permanent = "exceeds remaining block gas", False
            if problem is not None:
                if strict:
                    raise InvalidBlockError(f"invalid transaction {hex_bytes(tx.hash)}: {problem}")
                held_back.add(sender)
                skipped.append(Skipped(tx.hash, problem, permanent=permanent))
                continue
            try:
                receipt, _computation = vm.apply_transaction(cast(BlockHeaderAPI, running), tx)
            except ValidationError as exc:
                # Validation happens before any state change, so there is nothing to undo.
                if strict:
                    message = f"invalid transaction {hex_bytes(tx.hash)}: {exc}"
                    raise InvalidBlockError(message) from exc
                held_back.add(sender)
                skipped.append(Skipped(tx.hash, str(exc), permanent=True))
                continue
            running.gas_used = receipt.gas_used
            running.bloom |= int(receipt.bloom)
            included.append(tx)
            receipts.append(receipt)
            senders.append(sender)
        current = header.copy(gas_used=running.gas_used, bloom=running.bloom)
        tx_root, tx_nodes = ordered_trie_root([tx.encode() for tx in included])
        receipt_root, receipt_nodes = ordered_trie_root([r.encode() for r in receipts])
        db = self._buffer
        for key, value in tx_nodes.items():
            db[key] = value
        for key, value in receipt_nodes.items():
            db[key] = value
        filled = block.copy(
            transactions=included,
            header=current.copy(transaction_root=tx_root, receipt_root=receipt_root),
        )
        processed = vm.block_postprocessing(filled)
        # finalize_block (not mine_block): mine_block re-validates the block we have just
        # built, recomputing the transaction trie a second time.
        finalized = vm.finalize_block(processed).block
        if finalized.header.gas_used > finalized.header.gas_limit:
            raise ChainError("built block exceeds its gas limit")
        return BuiltBlock(finalized, tuple(receipts), tuple(senders), extra, tuple(skipped))

    def commit_block(self, built: BuiltBlock, seals: tuple[bytes, ...]) -> CommittedBlock:
        """Persist ``built`` with ``seals`` in its extraData as the new head (one commit)."""
        sealed_header = built.block.header.copy(
            extra_data=encode_extra_data(built.extra.with_seals(seals))
        )
        sealed = built.block.copy(header=sealed_header)
        try:
            self._chain.chaindb.persist_block(sealed)
            logs = self._index_block(sealed, built.receipts, built.senders)
            self._buffer.flush()
        except Exception:
            self.discard_built()
            raise
        self._held = None
        self._head = sealed.header
        header_json = json.loads(self._block_json(sealed.header.hash) or b"{}")
        header_json.pop("transactions", None)
        return CommittedBlock(
            header=sealed.header,
            tx_hashes=tuple(tx.hash for tx in sealed.transactions),
            senders=built.senders,
            header_json=header_json,
            logs=logs,
        )

    def import_block(self, block: BlockAPI, extra: ExtraData) -> BuiltBlock:
        """Re-execute a received block; raise :class:`InvalidBlockError` unless it matches."""
        if block.header.parent_hash != self._head.hash:
            raise InvalidBlockError("block does not extend our head")
        held = self._held
        if held is not None and _same_block(held, block, extra):
            return held
        built = self.build_block(
            block.transactions,
            timestamp=block.header.timestamp,
            coinbase=block.header.coinbase,
            extra=extra,
            gas_limit=block.header.gas_limit,
            strict=True,
        )
        ours, theirs = built.block.header, block.header
        for field in ("state_root", "receipt_root", "transaction_root", "gas_used", "bloom"):
            if getattr(ours, field) != getattr(theirs, field):
                self.discard_built()
                raise InvalidBlockError(f"block {field} does not match our execution")
        return built

    def hold(self, built: BuiltBlock) -> None:
        """Keep ``built`` (the block just built or imported on the head) buffered: a
        later :meth:`import_block` of the same block returns it without executing."""
        self._held = built

    def discard_built(self) -> None:
        """Forget the state writes of a built block that will not be committed."""
        self._held = None
        self._buffer.discard()

    # ----------------------------------------------------------------- index

    def _index_block(
        self, block: BlockAPI, receipts: Sequence[ReceiptAPI], senders: Sequence[bytes]
    ) -> tuple[Json, ...]:
        db = self._buffer
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
                format_transaction(tx, sender, block_hash, number, index, self.chain_id)
            )
            db[_RECEIPT_KEY + tx.hash] = _dumps(receipt_json)
        summary = format_block_summary(block)
        summary["transactions"] = [hex_bytes(tx.hash) for tx in block.transactions]
        db[_BLOCK_KEY + block_hash] = _dumps(summary)
        if all_logs:
            db[_number_key(_LOGS_KEY, number)] = _dumps(
                [[log["address"].lower(), log["topics"], _dumps(log).decode()] for log in all_logs]
            )
        return tuple(all_logs)

    # ----------------------------------------------------------------- lookups

    def header_by_number(self, number: int) -> BlockHeaderAPI | None:
        if number == self._head.block_number:
            return self._head
        if number < 0 or number > self._head.block_number:
            return None
        try:
            header: BlockHeaderAPI = self._chain.get_canonical_block_header_by_number(number)
        except HeaderNotFound:
            return None
        return header

    def header_by_hash(self, block_hash: bytes) -> BlockHeaderAPI | None:
        try:
            header: BlockHeaderAPI = self._chain.get_block_header_by_hash(block_hash)
        except (HeaderNotFound, BlockNotFound, ValidationError):
            return None
        canonical = self.header_by_number(header.block_number)
        return header if canonical is not None and canonical.hash == header.hash else None

    def block(self, header: BlockHeaderAPI) -> BlockAPI:
        block: BlockAPI = self._chain.get_block_by_header(header)
        return block

    def _block_json(self, block_hash: bytes) -> bytes | None:
        cached = self._block_json_cache.get(block_hash)
        if cached is not None:
            return cached
        raw = self._buffer.committed(_BLOCK_KEY + block_hash)
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
        return self._buffer.committed(_TX_KEY + tx_hash)

    def receipt_json(self, tx_hash: bytes) -> bytes | None:
        return self._buffer.committed(_RECEIPT_KEY + tx_hash)

    def block_logs(self, number: int) -> tuple[IndexedLog, ...]:
        """The block's logs as (lower-case address, topics, log JSON), for filtering
        without building a dict per log; recent blocks are kept decoded in memory."""
        cached = self._logs_cache.get(number)
        if cached is not None:
            return cached
        raw = self._buffer.committed(_number_key(_LOGS_KEY, number))
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

    # ----------------------------------------------------------------- state

    def call_state(self, header: BlockHeaderAPI) -> StateAPI:
        """A scratch state on top of ``header`` in the context of the next block, for
        ``eth_call``; callers snapshot and revert around each use. Each thread has its
        own (states are not thread-safe).

        Reused while the head stays the same, so the accounts and storage read by one
        call are cached for the next one (py-evm's ``in_costless_state`` builds a fresh
        state, cold caches included, for every call).
        """
        states: OrderedDict[bytes, StateAPI] | None = getattr(self._call_states, "lru", None)
        if states is None:
            states = self._call_states.lru = OrderedDict()
        cached = states.get(header.hash)
        if cached is not None:
            return cached
        vm = self._chain.get_vm(header)
        next_block = vm.generate_block_from_parent_header_and_coinbase(header, header.coinbase)
        free_header = next_block.header.copy(base_fee_per_gas=0)
        previous = itertools.chain((header.hash,), vm.previous_hashes or ())
        context = vm.create_execution_context(free_header, previous, vm.chain_context)
        state_class = call_state_class(vm.get_state_class())
        state: StateAPI = state_class(self._db, context, free_header.state_root)
        states[header.hash] = state
        if len(states) > 4:
            states.popitem(last=False)
        return state

    def forget_call_states(self) -> None:
        """Drop this thread's scratch states (after an execution that was cut short)."""
        self._call_states.lru = OrderedDict()

    def state_at(self, header: BlockHeaderAPI) -> StateAPI:
        """Read-only view of the state after ``header``'s block."""
        state: StateAPI = self._chain.get_vm(header).state
        return state
