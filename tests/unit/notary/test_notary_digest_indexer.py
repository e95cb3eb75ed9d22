"""The digest indexer's thread: when it merges, how it slices, how it survives errors."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from govchain_notary.digest_indexer import DigestIndexer
from govchain_notary.storage.digest_merge import Turns, issuer_runs
from govchain_notary.storage.memory import MemoryNotaryStore
from govchain_notary.storage.repos import CommitBatch, LeafBlock, PreparedLeaves, digest_slices
from tests.support.clocks import ManualClock

THREAD = "notary-digest-index"
ISSUER = "0x" + "11" * 20


class FlakyStore(MemoryNotaryStore):
    """The in-memory store, whose merges fail while ``failures`` is positive."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0
        self.merges: list[tuple[bytes, bytes | None]] = []

    def merge_digests(self, low: bytes, high: bytes | None) -> int:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is locked")
        self.merges.append((low, high))
        return super().merge_digests(low, high)


def _commit(store: MemoryNotaryStore, count: int) -> None:
    first = store.log_size(ISSUER)
    digests = [hashlib.sha256(b"%d" % n).digest() for n in range(first, first + count)]
    tags = b"".join(n.to_bytes(8, "big") for n in range(first, first + count))
    leaves = PreparedLeaves("certificate", digests, [b"s" * 16] * count, tags, [b""] * count)
    store.commit(
        CommitBatch([LeafBlock(ISSUER, first, 1, 1.0, leaves)], {}, {ISSUER: first + count})
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store() -> FlakyStore:
    return FlakyStore()


@pytest.fixture
def indexer(store: FlakyStore, clock: ManualClock) -> Iterator[DigestIndexer]:
    indexer = DigestIndexer(store, merge_at=100, slice_rows=40, idle_after=2.0, clock=clock)
    indexer.start()
    clock.wait_for_sleep(THREAD, 1)
    yield indexer
    indexer.stop()
    assert not indexer.alive


def test_a_busy_writer_is_merged_after_once_merge_at_digests_wait(
    store: FlakyStore, clock: ManualClock, indexer: DigestIndexer
) -> None:
    _commit(store, 99)
    indexer.notify()
    clock.wait_for_sleep(THREAD, 2)
    assert indexer.backlog == 99
    assert store.merges == []
    _commit(store, 1)
    indexer.notify()
    clock.wait_for_sleep(THREAD, 3)
    assert indexer.backlog == 0
    assert indexer.merged == 100
    assert store.merges == digest_slices(100, 40)  # three slices, in order
    assert len(store.merges) == 3
    assert clock.timeouts == [2.0, 2.0, 2.0]  # no wait of the clock was needed


def test_an_idle_writer_gets_its_few_digests_merged(
    store: FlakyStore, clock: ManualClock, indexer: DigestIndexer
) -> None:
    _commit(store, 5)
    indexer.notify()
    clock.wait_for_sleep(THREAD, 2)
    assert indexer.backlog == 5
    clock.advance(2.0)  # no commit for idle_after seconds
    clock.wait_for_sleep(THREAD, 3)
    assert indexer.backlog == 0
    assert store.merges == [(bytes(32), None)]


def test_a_failed_merge_is_reported_and_retried(
    store: FlakyStore, clock: ManualClock, indexer: DigestIndexer
) -> None:
    store.failures = 1
    _commit(store, 150)
    indexer.notify()
    clock.wait_for_sleep(THREAD, 2)  # the retry delay after the failure
    assert indexer.last_error == "database is locked"
    assert indexer.backlog == 150
    clock.advance(1.0)  # the retry delay passes: it merges at once
    clock.wait_for_sleep(THREAD, 4)
    assert indexer.backlog == 0
    assert indexer.last_error is None
    assert clock.timeouts == [2.0, 1.0, 2.0, 2.0]  # the third wait ends at once: woken


def test_digest_slices_cover_the_digest_space_in_equal_ranges() -> None:
    assert digest_slices(0, 10) == [(bytes(32), None)]
    assert digest_slices(10, 10) == [(bytes(32), None)]
    halves = digest_slices(11, 10)
    assert halves == [(bytes(32), b"\x80" + bytes(31)), (b"\x80" + bytes(31), None)]
    quarters = [low[0] for low, _ in digest_slices(400, 100)]
    assert quarters == [0x00, 0x40, 0x80, 0xC0]


def _block(issuer: str, first: int, count: int) -> LeafBlock:
    leaves = PreparedLeaves("certificate", [b"d" * 32] * count, [b"s" * 16] * count, b"", [])
    return LeafBlock(issuer, first, 1, 1.0, leaves)


def test_a_group_commit_copies_each_issuer_s_positions_as_few_runs() -> None:
    other = "0x" + "22" * 20
    blocks = [
        _block(other, 7, 3),
        _block(ISSUER, 0, 2),
        _block(ISSUER, 2, 5),
        _block(other, 10, 0),  # an empty block adds nothing
        _block(other, 10, 1),
        _block(ISSUER, 9, 1),  # not adjacent: a run of its own
    ]
    assert issuer_runs(blocks) == [(ISSUER, 0, 7), (ISSUER, 9, 10), (other, 7, 11)]


def _hold(
    turn: AbstractContextManager[None],
    inside: threading.Event,
    leave: threading.Event,
    order: list[str],
    name: str,
) -> threading.Thread:
    """A thread that takes ``turn``, says so, and stays until ``leave`` is set."""

    def run() -> None:
        with turn:
            inside.set()
            leave.wait(10)
            order.append(name)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("first", ["commit", "merge"])
def test_commits_and_merge_slices_take_turns(first: str) -> None:
    """Whichever holds the database, the other waits for it, then goes next."""
    turns = Turns()
    second = "merge" if first == "commit" else "commit"
    inside, leave, order = threading.Event(), threading.Event(), list[str]()
    holder = _hold(getattr(turns, first)(), inside, leave, order, first)
    inside.wait(10)
    entered, go_on = threading.Event(), threading.Event()
    go_on.set()
    waiter = _hold(getattr(turns, second)(), entered, go_on, order, second)
    waiter.join(0.2)  # bounds the check only: a turn that did not wait is done by now
    assert waiter.is_alive()
    assert not entered.is_set()
    leave.set()
    holder.join(10)
    waiter.join(10)
    assert order == [first, second]


def test_a_commit_lets_a_waiting_merge_slice_go_first() -> None:
    """Back-to-back commits cannot starve the indexer: once a slice waits, the next
    commit waits for that slice."""
    turns = Turns()
    inside, leave, order = threading.Event(), threading.Event(), list[str]()
    commit = _hold(turns.commit(), inside, leave, order, "commit 1")
    inside.wait(10)
    slice_in, slice_go = threading.Event(), threading.Event()
    merge = _hold(turns.merge(), slice_in, slice_go, order, "slice")
    while not turns._merge_waiting:  # the slice has asked for its turn
        merge.join(0.001)
    next_in, next_go = threading.Event(), threading.Event()
    next_go.set()
    following = _hold(turns.commit(), next_in, next_go, order, "commit 2")
    leave.set()  # the first commit ends: the slice goes, the second commit waits
    slice_in.wait(10)
    assert not next_in.is_set()
    slice_go.set()
    for thread in (commit, merge, following):
        thread.join(10)
    assert order == ["commit 1", "slice", "commit 2"]
