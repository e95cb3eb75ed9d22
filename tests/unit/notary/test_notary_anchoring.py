"""The writer and the anchoring worker over the in-memory store and chain, on a
manual clock: pacing and timestamps are checked exactly, never by sleeping."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from govchain_core.merkle import verify_consistency, verify_inclusion
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import tile_consistency_proof, tile_root
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.anchoring import AnchoringWorker
from govchain_notary.errors import ChainAccessError, ConflictError, LogDivergedError
from govchain_notary.log_store import WriterLogs
from govchain_notary.receipts import build_receipt
from govchain_notary.storage.memory import MemoryNotaryStore
from govchain_notary.storage.repos import ANCHORED, PREPARED, CheckpointRecord
from govchain_notary.submissions import Item, item, prepare_leaves
from govchain_notary.writer import AcceptJob, SubmissionWriter
from tests.support.clocks import ManualClock

ISSUER = "0x" + "d0" * 20
WORKER = "notary-anchoring"  # the worker thread's name


def _digests(start: int, count: int) -> list[Item]:
    return [item(f"sha256:{n:064x}") for n in range(start, start + count)]


class Harness:
    def __init__(
        self,
        store: MemoryNotaryStore | None = None,
        chain: MemoryAnchorer | None = None,
        clock: ManualClock | None = None,
        block_period: float = 60,
        threshold: int = 10**9,
    ):
        self.clock = clock or ManualClock()
        self.store = store or MemoryNotaryStore()
        self.chain = chain or MemoryAnchorer(issuers=[ISSUER], clock=self.clock)
        self.anchored: list[int] = []
        self.worker = AnchoringWorker(
            self.store,
            self.chain,
            [ISSUER],
            block_period=block_period,
            threshold=threshold,
            on_anchored=lambda _issuer, size: self.anchored.append(size),
            retry_delay=0,
            clock=self.clock,
        )
        self.writer = SubmissionWriter(
            self.store,
            WriterLogs(self.store, [ISSUER]),
            10**6,
            on_commit=self.worker.notify,
            clock=self.clock,
        )

    def accept(self, start: int, count: int, key: str | None = None, fp: str = "") -> list[str]:
        """Run one group commit synchronously on this thread."""
        job = AcceptJob(
            1, ISSUER, prepare_leaves("certificate", ISSUER, _digests(start, count)), key, fp
        )
        self.writer._process([job])
        return list(job.future.result(timeout=1).receipt_ids)


def test_anchor_once_anchors_the_committed_size() -> None:
    h = Harness()
    assert h.worker.anchor_once(ISSUER) is None
    h.accept(0, 5)
    first = h.worker.anchor_once(ISSUER)
    assert first is not None
    assert first.size == 5
    h.accept(5, 8)
    second = h.worker.anchor_once(ISSUER)
    assert second is not None
    assert (second.size, second.prev_size) == (13, 5)
    assert h.worker.anchor_once(ISSUER) is None
    assert h.anchored == [5, 13]
    latest = h.chain.latest(ISSUER)
    assert latest is not None
    assert latest.root == second.root


def test_receipts_prove_inclusion_in_the_anchored_root() -> None:
    h = Harness()
    ids = h.accept(0, 7)
    h.worker.anchor_once(ISSUER)
    later = h.accept(7, 3)
    h.worker.anchor_once(ISSUER)
    for receipt_id in ids + later:
        submission = h.store.submission(receipt_id)
        assert submission is not None
        checkpoint = h.store.covering_checkpoint(ISSUER, submission.log_index)
        assert checkpoint is not None
        receipt = build_receipt(h.store, submission, checkpoint)
        verify_inclusion(
            submission.log_index,
            receipt.proof.tree_size,
            submission.leaf_hash,
            list(receipt.proof.path),
            receipt.proof.root,
        )
        assert receipt.proof.tree_size == (7 if submission.log_index < 7 else 10)
    first = h.store.checkpoint(ISSUER, 7)
    second = h.store.checkpoint(ISSUER, 10)
    assert first is not None
    assert second is not None


def test_recovery_records_an_anchor_that_landed_before_the_crash() -> None:
    h = Harness()
    h.accept(0, 4)
    h.worker.anchor_once(ISSUER)
    h.accept(4, 6)
    # The notary prepared checkpoint 10 and sent it, then died before recording it.
    tiles = h.store.tile_reader(ISSUER, h.store.log_size(ISSUER))
    root = tile_root(tiles, 10)
    h.store.prepare_checkpoint(CheckpointRecord(ISSUER, 10, root, 4, PREPARED, 0))
    h.chain.anchor(ISSUER, 10, root, 4, tile_consistency_proof(tiles, 4, 10))
    restarted = Harness(h.store, h.chain)
    restarted.worker.reconcile(ISSUER)
    recovered = h.store.latest_anchored(ISSUER)
    assert recovered is not None
    assert (recovered.size, recovered.state) == (10, ANCHORED)
    assert recovered.anchor is not None
    # Nothing is anchored twice: the worker has nothing left to do.
    assert restarted.worker.anchor_once(ISSUER) is None
    assert len(h.chain.anchors[ISSUER]) == 2


def test_recovery_drops_a_checkpoint_that_never_landed() -> None:
    h = Harness()
    h.accept(0, 3)
    h.store.prepare_checkpoint(CheckpointRecord(ISSUER, 3, b"\0" * 32, 0, PREPARED, 0))
    h.worker.reconcile(ISSUER)
    assert h.store.checkpoint(ISSUER, 3) is None
    anchored = h.worker.anchor_once(ISSUER)
    assert anchored is not None
    assert anchored.size == 3


def test_chain_failure_is_retried_after_reconciling() -> None:
    h = Harness()
    h.accept(0, 3)
    h.chain.fail_next = 1
    with pytest.raises(ChainAccessError):
        h.worker.anchor_once(ISSUER)
    h.worker._anchor_safely(ISSUER)
    assert h.worker.last_error is None
    latest = h.store.latest_anchored(ISSUER)
    assert latest is not None
    assert latest.size == 3


def test_a_diverged_log_is_detected() -> None:
    h = Harness()
    h.accept(0, 3)
    h.chain.anchor(ISSUER, 2, b"\x13" * 32, 0, [])
    with pytest.raises(LogDivergedError):
        h.worker.reconcile(ISSUER)


def test_consistency_between_anchored_checkpoints_holds_on_chain() -> None:
    h = Harness()
    h.accept(0, 6)
    old = h.worker.anchor_once(ISSUER)
    h.accept(6, 11)
    new = h.worker.anchor_once(ISSUER)
    assert old is not None
    assert new is not None
    tiles = h.store.tile_reader(ISSUER, new.size)
    verify_consistency(
        old.size, new.size, old.root, new.root, tile_consistency_proof(tiles, old.size, new.size)
    )


def test_idempotent_retry_returns_the_same_receipts() -> None:
    h = Harness()
    first = h.accept(0, 3, key="k1", fp="a")
    again = h.accept(0, 3, key="k1", fp="a")
    assert first == again
    assert h.store.log_size(ISSUER) == 3
    with pytest.raises(ConflictError):
        h.accept(0, 3, key="k1", fp="b")


def test_failed_commit_leaves_the_log_as_committed() -> None:
    h = Harness()
    h.accept(0, 2)
    original = h.store.commit

    def broken(batch: object) -> None:
        raise RuntimeError("disk full")

    h.store.commit = broken  # type: ignore[method-assign]
    job = AcceptJob(1, ISSUER, prepare_leaves("certificate", ISSUER, _digests(2, 3)))
    h.writer._process([job])
    with pytest.raises(Exception, match="retry"):
        job.future.result(timeout=1)
    h.store.commit = original  # type: ignore[method-assign]
    h.accept(5, 1)
    assert h.store.log_size(ISSUER) == 3
    anchored = h.worker.anchor_once(ISSUER)
    assert anchored is not None
    assert anchored.size == 3


def test_the_writer_stamps_submissions_and_idempotency_answers_with_the_clock() -> None:
    h = Harness(clock=ManualClock(now=1_600_000_000.25))
    (first,) = h.accept(0, 1)
    h.clock.advance(90.5)
    (second,) = h.accept(1, 1, key="k1", fp="a")
    stamps = [h.store.submission(rid) for rid in (first, second)]
    assert [s.created_at if s else None for s in stamps] == [1_600_000_000.25, 1_600_000_090.75]
    answer = h.store.idempotency(1, "k1")
    assert answer is not None
    assert answer.created_at == 1_600_000_090


def test_checkpoint_records_carry_the_clocks_time() -> None:
    h = Harness(clock=ManualClock(now=1_650_000_000.9))
    h.accept(0, 4)
    record = h.worker.anchor_once(ISSUER)
    assert record is not None
    assert record.created_at == 1_650_000_000
    stored = h.store.checkpoint(ISSUER, 4)
    assert stored is not None
    assert stored.created_at == 1_650_000_000
    assert stored.anchor is not None
    assert stored.anchor.timestamp == 1_650_000_000  # the in-memory chain's block time


def test_a_checkpoint_recovered_from_the_chain_carries_the_clocks_time() -> None:
    h = Harness(clock=ManualClock(now=1_650_000_000.0))
    h.accept(0, 4)
    root = tile_root(h.store.tile_reader(ISSUER, 4), 4)
    h.chain.anchor(ISSUER, 4, root, 0, [])  # landed, but the notary died before recording
    h.clock.advance(3_600)
    h.worker.reconcile(ISSUER)
    recovered = h.store.latest_anchored(ISSUER)
    assert recovered is not None
    assert (recovered.size, recovered.created_at) == (4, 1_650_003_600)


class SlowChain(MemoryAnchorer):
    """Each anchor transaction takes ``seconds`` of the clock; remembers when each was sent."""

    def __init__(self, clock: ManualClock, seconds: float) -> None:
        super().__init__(issuers=[ISSUER], clock=clock)
        self.manual = clock
        self.seconds = seconds
        self.sent_at: list[float] = []

    def anchor(
        self, issuer: str, size: int, root: bytes, prev_size: int, proof: Sequence[bytes]
    ) -> AnchorRef:
        self.sent_at.append(self.manual.monotonic())
        self.manual.advance(self.seconds)
        return super().anchor(issuer, size, root, prev_size, proof)


def test_the_worker_paces_its_rounds_to_the_block_period() -> None:
    """A round that took 2 s of a 5 s period waits 3 s: rounds start every 5 s."""
    clock = ManualClock()
    h = Harness(chain=SlowChain(clock, 2.0), clock=clock, block_period=5)
    chain = h.chain
    assert isinstance(chain, SlowChain)
    start = clock.monotonic()
    h.accept(0, 3)
    h.worker.start()
    try:
        clock.wait_for_sleep(WORKER, 1)
        assert (chain.sent_at, h.anchored, clock.timeouts) == ([start], [3], [3.0])
        h.accept(3, 2)
        clock.advance(2.5)  # 4.5 s into the period: the worker still waits
        assert (chain.sent_at, h.anchored) == ([start], [3])
        clock.advance(0.5)
        clock.wait_for_sleep(WORKER, 2)
        assert (chain.sent_at, h.anchored) == ([start, start + 5], [3, 5])
        assert clock.timeouts == [3.0, 3.0]
        clock.advance(5)  # a round with nothing to anchor waits the whole period
        clock.wait_for_sleep(WORKER, 3)
        assert clock.timeouts == [3.0, 3.0, 5.0]
        assert chain.sent_at == [start, start + 5]
    finally:
        h.worker.stop()
    assert not h.worker.alive


def test_enough_waiting_leaves_wake_the_worker_before_the_period_ends() -> None:
    h = Harness(block_period=60, threshold=3)
    h.worker.start()
    try:
        h.clock.wait_for_sleep(WORKER, 1)  # the first round found nothing to anchor
        h.accept(0, 2)  # below the threshold: the worker sleeps on
        assert h.clock.sleeps(WORKER) == 1
        assert h.anchored == []
        h.accept(2, 1)
        h.clock.wait_for_sleep(WORKER, 2)
        assert h.anchored == [3]
        assert h.clock.timeouts == [60, 60]  # no time passed: woken, not timed out
    finally:
        h.worker.stop()
    assert not h.worker.alive


def test_stop_ends_the_workers_wait_without_the_clock_moving() -> None:
    h = Harness(block_period=3_600)
    h.worker.start()
    h.clock.wait_for_sleep(WORKER, 1)
    h.worker.stop(timeout=10)
    assert not h.worker.alive
