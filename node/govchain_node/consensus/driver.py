"""Drives the pure QBFT core (:mod:`govchain_node.consensus.qbft`) with the ledger, the pool,
asyncio timers and the p2p network: the consortium counterpart of ``--dev``'s ``BlockProducer``.

Why a driver and not an engine behind the producer: in QBFT the *network* decides when a
block is final, so block production is an answer to the core's ``RequestBlock`` and
import is an answer to its ``CommitBlock``; a timer-driven producer cannot express that.

The driver sees the node only as a :class:`~govchain_node.consensus.host.ConsensusHost`
(ledger, pool, commit listener) and settles each commit with the same routine as the
``--dev`` producer (:func:`~govchain_node.consensus.host.settle_commit`); the node builds
it through :func:`~govchain_node.consensus.factory.build_consensus`. Its signer and its
network come in from outside (:func:`consortium_driver`: the node key and the TLS network;
tests: :mod:`govchain_node.p2p.memory`).

Everything runs on the node's one event loop. The core is fed through
:class:`~govchain_node.consensus.qbft.runner.Runner`, the loop the simulator runs too:
events queued and fed one at a time, each step's actions performed in order before the
next event (a ``CommitBlock`` enqueues the ``NewChainHead``), messages for the next heights
held until their height runs. The driver is its
:class:`~govchain_node.consensus.qbft.runner.ActionHandler`: ``Persist`` is written and
fsync'd synchronously, before any later action of the same step is performed.

Every validator that sees a commit quorum commits the decided block at once with the
seals it collected: the block hash leaves the seals out (:mod:`govchain_node.vm`), so
validators holding different quorums still agree on every hash. The proposer also
pushes its sealed block, which lets members and lagging validators import it at once.

The validator set of each height follows the header votes on the chain
(:class:`~govchain_node.consensus.voting.ValidatorHistory`): consensus, proposals and
synced blocks are all checked against the set of the height they belong to, and a
proposal carries one of the votes an operator asked this validator to cast.

Block sync (:mod:`govchain_node.consensus.sync`) runs beside consensus: heads are announced to peers
on every change and every second, and a node behind its peers fetches and imports the
missing blocks after checking their commit seals against the block's validator set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eth.abc import BlockAPI, BlockHeaderAPI

from govchain_node.chain import BuiltBlock, CommittedBlock
from govchain_node.codec.errors import DecodeError
from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData, decode_extra_data
from govchain_node.config import NodeConfig
from govchain_node.consensus.host import ConsensusHost, settle_commit
from govchain_node.consensus.qbft import core
from govchain_node.consensus.qbft.blocks import RlpBlockOps
from govchain_node.consensus.qbft.encoding import (
    decode_message,
    decode_persisted,
    encode_message,
    encode_persisted,
)
from govchain_node.consensus.qbft.events import (
    BlockCandidate,
    CommitBlock,
    NewChainHead,
    RoundTimerExpired,
)
from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Message
from govchain_node.consensus.qbft.runner import Runner
from govchain_node.consensus.qbft.state import Persisted
from govchain_node.consensus.sync import (
    BLOCKS,
    GET_BLOCKS,
    MAX_BLOCKS_PER_REQUEST,
    STATUS,
    decode_block,
    decode_blocks,
    decode_get_blocks,
    decode_status,
    encode_block,
    encode_blocks,
    encode_get_blocks,
    encode_status,
    verify_seals,
)
from govchain_node.consensus.voting import ValidatorHistory, VoteProposals
from govchain_node.errors import InvalidBlockError, NodeError, StorageError
from govchain_node.genesis import GenesisSpec
from govchain_node.p2p.identity import NodeIdentity
from govchain_node.p2p.network import Connect, Network
from govchain_node.p2p.settings import P2pSettings, read_node_key
from govchain_node.signing import Secp256k1Recoverer, Secp256k1Signer, Signer

log = logging.getLogger(__name__)

STATE_FILE = "qbft-state"
#: Messages for heights further ahead than this are dropped, not buffered (memory bound).
FUTURE_HEIGHTS = 4
MAX_BUFFERED = 4096
STATUS_INTERVAL = 1.0
SYNC_REQUEST_TIMEOUT = 5.0
#: Seconds a block's timestamp may lie ahead of our clock (clock skew between members).
MAX_FUTURE_DRIFT = 15


def whole_period(config: NodeConfig) -> int:
    """The block period in whole seconds (timestamps are whole seconds), at least 1."""
    return max(1, math.ceil(config.block_period))


def write_durably(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and fsync file and directory, so a crash
    leaves either the old or the new record, never a torn one."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _hexes(head: NewChainHead) -> str:
    return ", ".join("0x" + v.hex() for v in head.validators)


class ConsortiumDriver:
    """One node's consensus task and block sync; see the module docstring."""

    def __init__(
        self,
        host: ConsensusHost,
        config: NodeConfig,
        genesis: GenesisSpec,
        signer: Signer,
        connect: Connect,
    ) -> None:
        self._host = host
        self._ledger = host.ledger
        self._gas_limit = config.block_gas_limit
        self._period = whole_period(config)
        self.address = signer.address
        qbft_config = core.Config(
            signer=signer,
            recoverer=Secp256k1Recoverer(),
            blocks=RlpBlockOps(self._is_valid),
            base_timeout=2.0 * self._period + 2.0,
            max_timeout=max(30.0, 2.0 * self._period + 2.0),
        )
        self._state_path = config.data_dir / STATE_FILE
        self.history = ValidatorHistory(
            self._ledger.header_by_number, genesis.validators, genesis.epoch_length
        )
        self.votes = VoteProposals()
        future = FutureMessages(FUTURE_HEIGHTS, MAX_BUFFERED)
        state = core.restore(self._load_persisted())
        self._runner = Runner(qbft_config, state, self, future)
        self.network = connect(
            on_transaction=self._on_transaction,
            on_consensus=self._on_consensus,
            on_other=self._on_sync,
            on_peer=self._on_peer,
            is_validator=lambda address: address in self._runner.state.validators,
        )
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._building: asyncio.Task[None] | None = None
        self._peer_heights: dict[bytes, int] = {}
        self._sync_deadline = 0.0
        #: The bound p2p port, once started.
        self.port: int | None = None

    def _load_persisted(self) -> Persisted | None:
        if not self._state_path.exists():
            return None
        try:
            return decode_persisted(self._state_path.read_bytes())
        except (OSError, DecodeError) as exc:
            raise StorageError(f"cannot read {self._state_path}: {exc}") from exc

    # ----------------------------------------------------------------- lifecycle

    @property
    def height(self) -> int:
        """The height consensus is working on (head + 1)."""
        return self._runner.state.height

    @property
    def round(self) -> int:
        return self._runner.state.round

    @property
    def peer_count(self) -> int:
        return self.network.peer_count

    def transaction_submitted(self, raw: bytes) -> None:
        """A client's transaction entered our pool: gossip it to the peers."""
        self.network.publish_transaction(raw)

    async def start(self) -> None:
        """Listen and dial, start consensus on the current head (the port: :attr:`port`)."""
        self.port = await self.network.start()
        self._runner.feed(self._head_event(self._ledger.head))
        self._tasks.append(asyncio.create_task(self._announce(), name="sync-status"))

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        tasks = [*self._tasks, *([self._building] if self._building else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.network.stop()

    async def _announce(self) -> None:
        """Periodic head announcements: how a restarted node learns it is behind."""
        while True:
            self.network.broadcast(STATUS, encode_status(self._ledger.head.block_number))
            await asyncio.sleep(STATUS_INTERVAL)

    def _head_event(self, head: BlockHeaderAPI) -> NewChainHead:
        validators = self.history.tally_after(head.block_number).validators
        return NewChainHead(head.block_number, validators, bytes(head.coinbase))

    # ----------------------------------------------------------------- the core's actions
    # (the runner's ActionHandler, called in order on the event loop)

    def persist(self, record: Persisted) -> None:
        write_durably(self._state_path, encode_persisted(record))

    def broadcast(self, message: Message) -> None:
        self.network.publish_consensus(*encode_message(message))

    def start_round_timer(self, height: int, round_: int, duration: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        expired = RoundTimerExpired(height, round_)
        self._timer = asyncio.get_running_loop().call_later(duration, self._runner.feed, expired)

    def request_block(self, height: int, round_: int) -> None:
        if self._building is not None:
            self._building.cancel()
        self._building = asyncio.create_task(self._build(height, round_), name="qbft-build")

    # ----------------------------------------------------------------- proposing

    async def _build(self, height: int, round_: int) -> None:
        """Build on the head once ``parent.timestamp + period`` has passed, then answer."""
        parent = self._ledger.head
        delay = parent.timestamp + self._period - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._ledger.head.hash != parent.hash or self._runner.state.height != height:
            return  # the head moved (sync or a commit) while we waited
        tally = self.history.tally_after(parent.block_number)
        vote = self.votes.choose(tally, self.address)
        extra = ExtraData(bytes(VANITY_LENGTH), tally.validators, vote, round_, ())
        host = self._host
        try:
            built = self._ledger.build_block(
                host.pool.executable(host.nonce_of),
                timestamp=max(int(time.time()), parent.timestamp + self._period),
                coinbase=self.address,
                extra=extra,
                gas_limit=self._gas_limit,
            )
        except NodeError:
            log.exception("building the proposal for height %d failed", height)
            return
        self._ledger.hold(built)  # committed as built if the round decides it
        self._runner.feed(BlockCandidate(height, round_, encode_block(built.block)))

    def _is_valid(self, raw: bytes) -> bool:
        """Whether ``raw`` is a valid child of our head: structure, period, execution."""
        parent = self._ledger.head
        try:
            block = decode_block(raw)
            header = block.header
            if header.parent_hash != parent.hash:
                return False
            if header.timestamp < parent.timestamp + self._period:
                return False
            if header.timestamp > time.time() + MAX_FUTURE_DRIFT:
                return False
            extra = decode_extra_data(header.extra_data)
            if extra.validators != self.history.validators_for(header.block_number):
                log.info("rejecting proposal: its validators differ from the vote tally")
                return False
            # Held, not discarded: committing this block later reuses the execution.
            self._ledger.hold(self._ledger.import_block(block, extra))
        except NodeError as exc:
            self._ledger.discard_built()
            log.info("rejecting proposal: %s", exc)
            return False
        except Exception:  # py-evm raises assorted errors on hostile blocks
            self._ledger.discard_built()
            log.exception("rejecting a proposal that failed to execute")
            return False
        return True

    # ----------------------------------------------------------------- committing

    def commit_block(self, action: CommitBlock) -> None:
        """Commit the decided block with the seals we collected; its proposer pushes it."""
        if action.height <= self._ledger.head.block_number:
            return  # sync imported it first
        try:
            block = decode_block(action.block)
            extra = decode_extra_data(block.header.extra_data)
            self._import(block, extra, action.seals)
        except Exception:  # py-evm's own errors too: consensus must outlive a bad block
            self._ledger.discard_built()
            log.exception("committing block %d failed; sync will fetch it", action.height)
            return
        if bytes(block.header.coinbase) == self.address:
            sealed = encode_block(self._ledger.block(self._ledger.head))
            self.network.broadcast(BLOCKS, encode_blocks([sealed]))

    def _import(self, block: BlockAPI, extra: ExtraData, seals: tuple[bytes, ...]) -> None:
        """Execute ``block`` (or take the held execution of it), check it is exactly the
        block that was sealed, commit it with ``seals`` and move to the next height."""
        built = self._ledger.import_block(block, extra)
        # The block hash covers every field but the seals (and round, taken from ``extra``).
        if built.block.header.hash != block.header.hash:
            self._ledger.discard_built()
            raise InvalidBlockError("block header differs from our execution of it")
        committed = self._ledger.commit_block(built, seals)
        self._after_commit(built, committed)

    def _after_commit(self, built: BuiltBlock, committed: CommittedBlock) -> None:
        settle_commit(self._host, built, committed)
        head = committed.header
        self.network.broadcast(STATUS, encode_status(head.block_number))
        event = self._head_event(head)
        if event.validators != self.history.validators_for(head.block_number):
            log.info("validators from block %d on: %s", head.block_number + 1, _hexes(event))
            self.network.validators_changed()
        self._runner.feed(event)  # queued behind the current actions when committing

    # ----------------------------------------------------------------- network callbacks

    def _on_transaction(self, raw: bytes, peer: bytes | None) -> bool:
        """A gossiped transaction enters our pool; relayed only if the pool took it."""
        if peer is None:
            return True
        try:
            pooled = self._host.pool.add_raw(raw)
        except NodeError:
            return False
        self._host.transaction_pooled(pooled.hash)
        return True

    def _on_consensus(self, code: int, payload: bytes, peer: bytes) -> bool:
        try:
            message = decode_message(code, payload)
        except DecodeError:
            return False
        self._runner.receive(message)  # held if for one of the next heights
        return True

    def _on_peer(self, identity: NodeIdentity, connected: bool) -> None:
        if connected:
            head = self._ledger.head.block_number
            self.network.send(identity.address, STATUS, encode_status(head))
        else:
            self._peer_heights.pop(identity.address, None)

    def _on_sync(self, peer: bytes, code: int, payload: bytes) -> None:
        try:
            if code == STATUS:
                self._peer_heights[peer] = decode_status(payload)
                self._maybe_request(peer)
            elif code == GET_BLOCKS:
                first, count = decode_get_blocks(payload)
                self.network.send(peer, BLOCKS, encode_blocks(list(self._blocks(first, count))))
            elif code == BLOCKS:
                self._sync_deadline = 0.0
                blocks = decode_blocks(payload)
                if blocks:
                    last = decode_block(blocks[-1]).header.block_number
                    self._peer_heights[peer] = max(self._peer_heights.get(peer, 0), last)
                self._import_synced(blocks)
                self._maybe_request(peer)
        except NodeError as exc:
            log.warning("sync frame %#04x from 0x%s rejected: %s", code, peer.hex(), exc)

    def _maybe_request(self, peer: bytes) -> None:
        head = self._ledger.head.block_number
        theirs = self._peer_heights.get(peer, 0)
        if theirs <= head or time.monotonic() < self._sync_deadline:
            return
        count = min(theirs - head, MAX_BLOCKS_PER_REQUEST)
        if self.network.send(peer, GET_BLOCKS, encode_get_blocks(head + 1, count)):
            self._sync_deadline = time.monotonic() + SYNC_REQUEST_TIMEOUT

    def _blocks(self, first: int, count: int) -> Iterable[bytes]:
        for number in range(first, first + count):
            header = self._ledger.header_by_number(number)
            if header is None:
                return
            yield encode_block(self._ledger.block(header))

    def _import_synced(self, raws: list[bytes]) -> None:
        """Import consecutive blocks on our head, each only with a quorum of valid seals
        from its parent's validator set; stops at the first gap or invalid block."""
        for raw in raws:
            block = decode_block(raw)
            head = self._ledger.head
            number = block.header.block_number
            if number <= head.block_number:
                continue
            if number != head.block_number + 1:
                return
            extra = verify_seals(block.header, head, self.history.validators_for(number))
            try:
                self._import(block, extra, extra.seals)
            except NodeError:
                raise
            except Exception as exc:  # py-evm on a hostile block
                self._ledger.discard_built()
                raise InvalidBlockError(f"synced block {number} failed to execute: {exc}") from exc
            log.info("synced block %d", number)


def consortium_driver(
    host: ConsensusHost, config: NodeConfig, genesis: GenesisSpec, p2p: P2pSettings
) -> ConsortiumDriver:
    """The driver of a consortium node: its key and its TLS network from ``p2p``."""

    def connect(**handlers: Any) -> Network:
        return Network.from_settings(p2p, genesis.chain_id, **handlers)

    signer = Secp256k1Signer(read_node_key(p2p.key_file))
    return ConsortiumDriver(host, config, genesis, signer, connect)
