"""The submission writer: one thread that group-commits accepted digests.

Every request's leaves go through a queue to this thread, which takes as many
queued requests as fit in ``max_group_leaves``, appends their leaf hashes to the
issuers' logs, and commits submissions, log nodes, log sizes and idempotency
answers in one transaction.  Only then are the requests' futures resolved and
the clients answered ``202``: nothing is acknowledged that is not durable.  One
fsync then covers thousands of digests, and the logs have exactly one writer.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.errors import ConflictError, NotaryError, UnavailableError
from govchain_notary.log_store import WriterLogs
from govchain_notary.receipt_ids import receipt_ids
from govchain_notary.storage.repos import (
    CommitBatch,
    IdempotencyRecord,
    LeafBlock,
    PreparedLeaves,
    ReceiptStore,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Accepted:
    """Receipt ids of a committed request and the log size that contains all of them."""

    receipt_ids: Sequence[str]
    end: int | None  # None for an idempotent replay: look the positions up


@dataclass(slots=True)
class AcceptJob:
    """One request's leaves, answered with their receipt ids once durable."""

    client_id: int
    issuer: str
    leaves: PreparedLeaves
    idempotency_key: str | None = None
    fingerprint: str = ""
    future: Future[Accepted] = field(default_factory=Future)


CommitListener = Callable[[dict[str, int]], None]
"""Called after each group commit with the new log sizes of the issuers it touched."""


class SubmissionWriter:
    """Group-commits ``AcceptJob``s from a queue on a dedicated thread."""

    def __init__(
        self,
        store: ReceiptStore,
        logs: WriterLogs,
        max_group_leaves: int,
        on_commit: CommitListener,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.clock = clock
        self.logs = logs
        self.max_group_leaves = max_group_leaves
        self.on_commit = on_commit
        self._queue: queue.SimpleQueue[AcceptJob | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="notary-writer", daemon=True)
        self.queued_leaves = 0
        self._count_lock = threading.Lock()  # submit() and the writer both update the count

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def submit(self, job: AcceptJob) -> Future[Accepted]:
        if not self._thread.is_alive():
            raise UnavailableError("the writer is not running", slug="not-ready")
        with self._count_lock:
            self.queued_leaves += len(job.leaves)
        self._queue.put(job)
        return job.future

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            group, stop = self._collect(job)
            self._process(group)
            if stop:
                return

    def _collect(self, first: AcceptJob) -> tuple[list[AcceptJob], bool]:
        group, leaves = [first], len(first.leaves)
        while leaves < self.max_group_leaves:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return group, True
            group.append(job)
            leaves += len(job.leaves)
        return group, False

    def _process(self, group: list[AcceptJob]) -> None:
        batch = CommitBatch()
        staged: list[tuple[AcceptJob, Accepted]] = []
        answers: dict[tuple[int, str], IdempotencyRecord] = {}
        for job in group:
            try:
                staged.append((job, self._stage(job, batch, answers)))
            except NotaryError as exc:
                job.future.set_exception(exc)
        touched = {job.issuer for job, _ in staged}
        batch.tiles, batch.interiors = self.logs.take_tiles(), self.logs.take_interiors()
        batch.log_sizes = {issuer: self.logs.size(issuer) for issuer in touched}
        with self._count_lock:
            self.queued_leaves -= sum(len(job.leaves) for job in group)
        try:
            self.store.commit(batch)
        except Exception:
            logger.exception("group commit of %d leaves failed", sum(map(len, batch.blocks)))
            self.logs.reload()
            for job, _ in staged:
                job.future.set_exception(
                    UnavailableError("the database refused the write; retry", slug="storage")
                )
            return
        if batch.log_sizes:  # before answering: metrics and backlog agree with the answers
            self.on_commit(batch.log_sizes)
        for job, accepted in staged:
            job.future.set_result(accepted)

    def _stage(
        self,
        job: AcceptJob,
        batch: CommitBatch,
        answers: dict[tuple[int, str], IdempotencyRecord],
    ) -> Accepted:
        if job.idempotency_key is not None:
            replay = self._replay(job, answers)
            if replay is not None:
                return Accepted(replay, None)
        leaves = job.leaves
        first = self.logs.append(job.issuer, leaves.leaf_hashes)
        now = self.clock.now()  # when the leaves were accepted
        batch.blocks.append(LeafBlock(job.issuer, first, job.client_id, now, leaves))
        ids = receipt_ids(first, leaves.tags)
        if job.idempotency_key is not None:
            answer = IdempotencyRecord(
                job.client_id, job.idempotency_key, job.fingerprint, tuple(ids), int(now)
            )
            batch.idempotency.append(answer)
            answers[(job.client_id, job.idempotency_key)] = answer
        return Accepted(ids, first + len(leaves))

    def _replay(
        self, job: AcceptJob, answers: dict[tuple[int, str], IdempotencyRecord]
    ) -> tuple[str, ...] | None:
        assert job.idempotency_key is not None
        key = (job.client_id, job.idempotency_key)
        answer = answers.get(key) or self.store.idempotency(*key)
        if answer is None:
            return None
        if answer.fingerprint != job.fingerprint:
            raise ConflictError(
                "this Idempotency-Key was used before with a different request body"
            )
        return answer.receipt_ids
