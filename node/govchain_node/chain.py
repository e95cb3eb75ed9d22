"""The ledger: genesis, one-pass block building, atomic block commit and lookups.

Block production is split so that any consensus engine can drive it:

1. :meth:`Ledger.build_block` executes transactions on the head in ONE pass (one state
   root at the end, never ``Chain.apply_transaction`` per transaction) and returns an
   unsealed :class:`BuiltBlock`; invalid transactions are skipped and reported;
2. the engine seals it (``--dev``: the single validator signs; QBFT: commit seals of a
   quorum) and calls :meth:`Ledger.commit_block`, which persists state, header, body,
   receipts, what its commit listeners derive (the RPC's JSON index,
   :mod:`govchain_node.rpc.index`) and the canonical head in ONE atomic, fsync'd commit;
3. a follower or validator that receives a sealed block calls :meth:`Ledger.import_block`,
   which re-executes it and commits only if every root matches.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

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
from govchain_node.codec.extra_data import ExtraData, encode_extra_data, encode_for_commit_seal
from govchain_node.errors import BlockError, ConfigError, InvalidBlockError
from govchain_node.formatting import hex_bytes
from govchain_node.genesis import BFT_MIX_HASH, ZERO_HASH, GenesisSpec, genesis_matches
from govchain_node.ordered_trie import ordered_trie_root
from govchain_node.storage import BlockBufferedDB, KeyValueStore, open_database
from govchain_node.vm import GovchainVM, make_chain_class

BLOB_TX_TYPE = 3


class _RunningTotals:
    """Gas used and bloom while a block is executed (read by py-evm as its "header")."""

    __slots__ = ("bloom", "gas_limit", "gas_used")

    def __init__(self, gas_limit: int) -> None:
        self.gas_limit = gas_limit
        self.gas_used = 0
        self.bloom = 0


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
    """A block that is now the canonical head."""

    header: BlockHeaderAPI
    tx_hashes: tuple[bytes, ...]
    senders: tuple[bytes, ...]


class CommitListener(Protocol):
    """Derives data from each committed block, written in the block's own commit."""

    def block_committed(
        self,
        db: BlockBufferedDB,
        block: BlockAPI,
        receipts: Sequence[ReceiptAPI],
        senders: Sequence[bytes],
    ) -> None:
        """Write into ``db`` (the pending commit); raising aborts the commit."""


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
        #: Scratch states for calls, per thread: each RPC call worker runs its own.
        self._call_states = threading.local()
        self._listeners: list[CommitListener] = []

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

    def add_commit_listener(self, listener: CommitListener) -> None:
        """From the next commit on, ``listener`` writes into every block's commit."""
        self._listeners.append(listener)

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
            raise BlockError("built block exceeds its gas limit")
        return BuiltBlock(finalized, tuple(receipts), tuple(senders), extra, tuple(skipped))

    def commit_block(self, built: BuiltBlock, seals: tuple[bytes, ...]) -> CommittedBlock:
        """Persist ``built`` with ``seals`` in its extraData as the new head (one commit)."""
        sealed_header = built.block.header.copy(
            extra_data=encode_extra_data(built.extra.with_seals(seals))
        )
        sealed = built.block.copy(header=sealed_header)
        try:
            self._chain.chaindb.persist_block(sealed)
            for listener in self._listeners:
                listener.block_committed(self._buffer, sealed, built.receipts, built.senders)
            self._buffer.flush()
        except Exception:
            self.discard_built()
            raise
        self._held = None
        self._head = sealed.header
        return CommittedBlock(
            header=sealed.header,
            tx_hashes=tuple(tx.hash for tx in sealed.transactions),
            senders=built.senders,
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
