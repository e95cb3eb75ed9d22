"""The ``--dev`` block producer. Timing: a block every ``block_period`` while transactions are
pending, otherwise an empty block every ``empty_block_period``.

The producer decides *when*; the consensus engine decides *whether this node proposes*
and *how the block is sealed*; the ledger builds and commits. ``block_period = 0`` seals
as soon as transactions are pending (batching whatever arrived during the previous
build), which tests and benchmarks use.

Periods count from the START of the previous block, as Besu spaces block timestamps by
the period: a build that takes 0.6 s of a 1 s period leaves 0.4 s of waiting, and a
build longer than the period is followed by the next one at once. Timestamps are whole
seconds and strictly increasing, so with sub-second periods under sustained load the
block time can run ahead of the wall clock by the backlog.

While a block is built and committed in a worker thread (``produce_off_loop``), the
event loop keeps serving JSON-RPC and admitting transactions for the next block: no
multi-second stalls of reads during a large build, and bigger batches at period 0.
Both threads share the GIL, so this buys no second core; the hand-overs cost some CPU
(measured 10-25 % more per transaction when both threads are saturated).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable

from eth.abc import SignedTransactionAPI

from govchain_node.chain import BuiltBlock, CommittedBlock, Ledger
from govchain_node.codec.extra_data import ExtraData
from govchain_node.config import NodeConfig
from govchain_node.consensus.engine import ConsensusEngine
from govchain_node.consensus.host import ConsensusHost, settle_commit
from govchain_node.consensus.voting import VoteProposals
from govchain_node.errors import BlockError

log = logging.getLogger(__name__)


class Cadence:
    """When the next block is due, from the start of the previous one (no clock inside).

    Times are ``time.monotonic()`` seconds supplied by the caller.
    """

    def __init__(self, block_period: float, empty_block_period: float, start: float) -> None:
        self.block_period = block_period
        self.empty_block_period = empty_block_period
        self.last_start = start

    def started(self, at: float) -> None:
        """A block build (or a failed attempt) began at ``at``."""
        self.last_start = at

    def due(self, pending: bool) -> float:
        """The time at which the next block should be started."""
        period = self.block_period if pending else self.empty_block_period
        return self.last_start + period

    def wait(self, pending: bool, now: float) -> float:
        """Seconds to wait from ``now`` (0 when the block is due or overdue)."""
        return max(0.0, self.due(pending) - now)


@dataclasses.dataclass(frozen=True)
class BlockJob:
    """One block to build from candidates taken off the pool; runs on any one thread."""

    ledger: Ledger
    engine: ConsensusEngine
    candidates: list[SignedTransactionAPI]
    timestamp: int
    extra: ExtraData
    gas_limit: int

    def build_and_commit(self) -> tuple[BuiltBlock, CommittedBlock]:
        built = self.ledger.build_block(
            self.candidates,
            timestamp=self.timestamp,
            coinbase=self.engine.coinbase,
            extra=self.extra,
            gas_limit=self.gas_limit,
        )
        try:
            seals = self.engine.seal(built.block.header)
            return built, self.ledger.commit_block(built, seals)
        except Exception:
            self.ledger.discard_built()
            raise


class BlockProducer:
    """The ``--dev`` node's consensus: produce on a timer, sealed by ``engine`` alone.

    Offers the node the same surface as the QBFT driver (:class:`.factory.Consensus`).
    """

    #: A ``--dev`` chain has one validator: votes would leave it without a quorum.
    votes: VoteProposals | None = None
    peer_count = 0

    def __init__(
        self,
        host: ConsensusHost,
        engine: ConsensusEngine,
        config: NodeConfig,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._host = host
        self._ledger = host.ledger
        self._pool = host.pool
        self._nonce_of = host.nonce_of
        self._engine = engine
        self._config = config
        self._clock = clock
        self._monotonic = monotonic
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.cadence = Cadence(config.block_period, config.empty_block_period, monotonic())

    @property
    def address(self) -> bytes:
        """The address that seals this node's blocks."""
        return self._engine.coinbase

    def notify(self) -> None:
        """A transaction arrived."""
        self._wake.set()

    def transaction_submitted(self, raw: bytes) -> None:
        """A client's transaction entered the pool: a block may be due sooner."""
        self.notify()

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="block-producer")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def produce(self) -> CommittedBlock | None:
        """Build, seal and commit one block from the pool now (``None`` if not proposer)."""
        job = self._prepare()
        return None if job is None else self._finish(job.build_and_commit())

    async def produce_off_loop(self) -> CommittedBlock | None:
        """:meth:`produce` with the build in a worker thread, so that JSON-RPC keeps
        answering (and admitting transactions for the next block) meanwhile.

        Only the thread touches the ledger's write path until the commit; the pool and
        the commit callbacks stay on the event loop. A cancelled caller still waits for
        the build to end, so that the store is never closed under a commit.
        """
        job = self._prepare()
        if job is None:
            return None
        future = asyncio.get_running_loop().run_in_executor(None, job.build_and_commit)
        try:
            committed = await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])
            raise
        return self._finish(committed)

    def _prepare(self) -> BlockJob | None:
        """Take the candidates from the pool (on the event loop, which owns the pool)."""
        self.cadence.started(self._monotonic())
        parent = self._ledger.head
        if not self._engine.may_propose(parent):
            return None
        return BlockJob(
            ledger=self._ledger,
            engine=self._engine,
            candidates=list(self._pool.executable(self._nonce_of)),
            timestamp=int(self._clock()),
            extra=self._engine.proposal_extra(parent),
            gas_limit=self._config.block_gas_limit,
        )

    def _finish(self, result: tuple[BuiltBlock, CommittedBlock]) -> CommittedBlock:
        built, committed = result
        settle_commit(self._host, built, committed)
        return committed

    async def run(self) -> None:
        while True:
            pending = self._pool.has_executable(self._nonce_of)
            delay = self.cadence.wait(pending, self._monotonic())
            if delay > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                except TimeoutError:
                    pass
                else:
                    continue  # re-evaluate with the new pool state
            await self._produce_logged()
            # Let RPC requests that queued up during the build run before the next one.
            await asyncio.sleep(0)

    async def _produce_logged(self) -> None:
        """One production attempt; a failure is logged and retried a period later."""
        try:
            await self.produce_off_loop()
        except BlockError:
            log.exception("block production failed; retrying next period")
        except Exception:
            # An execution bug triggered by some transaction must not stop the chain:
            # drop the first candidate so that the next attempt makes progress.
            log.exception("block production crashed; dropping the first candidate")
            first = next(iter(self._pool.executable(self._nonce_of)), None)
            if first is not None:
                self._pool.drop(bytes(first.hash))
