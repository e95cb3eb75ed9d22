"""The status follower over the in-memory chain and status index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.errors import ChainAccessError
from govchain_notary.status_follower import MAX_SPAN, StatusFollower
from govchain_notary.storage.statuses import (
    END_OF_BLOCK,
    MemoryStatusIndex,
    StatusSync,
)
from tests.support.clocks import ManualClock

ISSUER = "0x" + "d0" * 20
STRANGER = "0x" + "e0" * 20
LEAF = b"\x11" * 32
OTHER_LEAF = b"\x22" * 32
THREAD = "notary-statuses"  # the follower thread's name


class RecordingChain(MemoryAnchorer):
    """A memory chain that remembers the block ranges the follower asked for."""

    def __init__(self, status_registry: str = "0x" + "5a" * 20) -> None:
        super().__init__(issuers=[ISSUER, STRANGER], status_registry=status_registry)
        self.ranges: list[tuple[int, int]] = []

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        self.ranges.append((first, last))
        return super().status_changes(issuers, first, last)


class Follower:
    def __init__(
        self,
        chain: RecordingChain,
        index: MemoryStatusIndex | None = None,
        clock: ManualClock | None = None,
    ) -> None:
        self.chain = chain
        self.index = index or MemoryStatusIndex()
        self.changes = 0
        self.clock = clock or ManualClock()
        self.follower = StatusFollower(
            self.index, chain, [ISSUER], 60, self._changed, clock=self.clock
        )
        self.follower.synced = self.index.syncs()  # what start() loads, without the thread

    def _changed(self) -> None:
        self.changes += 1

    def status(self, leaf: bytes) -> DocumentStatus | None:
        return self.index.statuses([(ISSUER, leaf)]).get((ISSUER, leaf))


def test_changes_made_on_chain_reach_the_index() -> None:
    chain = RecordingChain()
    harness = Follower(chain)
    assert harness.follower.sync_once() == 0
    chain.set_status(ISSUER, LEAF, DocumentState.SUSPENDED, None)
    chain.set_status(ISSUER, OTHER_LEAF, DocumentState.SUPERSEDED, LEAF)
    chain.set_status(ISSUER, LEAF, DocumentState.REVOKED, None)
    chain.set_status(STRANGER, OTHER_LEAF, DocumentState.REVOKED, None)  # not followed here
    assert harness.follower.sync_once() == 2
    assert harness.status(LEAF) == chain.status(ISSUER, LEAF)
    assert harness.status(OTHER_LEAF) == chain.status(ISSUER, OTHER_LEAF)
    assert harness.index.statuses([(STRANGER, OTHER_LEAF)]) == {}
    assert harness.changes == 1
    head = chain.head()
    assert harness.follower.synced[ISSUER].block_number == head
    assert harness.index.syncs()[ISSUER] == harness.follower.synced[ISSUER]
    asked = len(chain.ranges)
    assert harness.follower.sync_once() == 0  # nothing new: no range read, no callback
    assert len(chain.ranges) == asked
    assert harness.changes == 1


def test_a_new_follower_resumes_at_the_checkpoint() -> None:
    chain = RecordingChain()
    index = MemoryStatusIndex()
    chain.set_status(ISSUER, LEAF, DocumentState.SUSPENDED, None)
    Follower(chain, index).follower.sync_once()
    checkpoint = index.syncs()[ISSUER].block_number
    chain.ranges.clear()
    chain.set_status(ISSUER, LEAF, DocumentState.VALID, None)
    restarted = Follower(chain, index)
    assert restarted.follower.sync_once() == 1
    assert chain.ranges == [(checkpoint + 1, chain.head())]
    assert restarted.status(LEAF) == DocumentStatus(DocumentState.VALID, chain.timestamps[-1])


def test_a_long_catch_up_goes_in_spans_each_checkpointed() -> None:
    chain = RecordingChain()
    for _ in range(5):
        chain.set_status(ISSUER, LEAF, DocumentState.SUSPENDED, None)
        chain.set_status(ISSUER, LEAF, DocumentState.VALID, None)
    harness = Follower(chain)
    harness.follower.span = 4
    checkpoints: list[int] = []
    apply = harness.index.apply

    def recording_apply(changes: Sequence[StatusChange], syncs: Mapping[str, StatusSync]) -> int:
        checkpoints.append(syncs[ISSUER].block_number)
        return apply(changes, syncs)

    harness.index.apply = recording_apply  # type: ignore[method-assign]
    harness.follower.sync_once()
    assert chain.ranges == [(0, 3), (4, 7), (8, 10)]
    assert checkpoints == [3, 7, 10]
    assert harness.status(LEAF) == chain.status(ISSUER, LEAF)


class FailingChain(RecordingChain):
    """Answers the first ``good`` ranges, then fails as a node going down would."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        if len(self.ranges) >= self.good:
            raise ChainAccessError("node unreachable")
        return super().status_changes(issuers, first, last)


def test_a_span_applied_before_a_failure_is_checkpointed_and_announced() -> None:
    chain = FailingChain(good=1)
    for _ in range(3):
        chain.set_status(ISSUER, LEAF, DocumentState.SUSPENDED, None)
        chain.set_status(ISSUER, LEAF, DocumentState.VALID, None)
    harness = Follower(chain)
    harness.follower.span = 4
    with pytest.raises(ChainAccessError):
        harness.follower.sync_once()
    assert harness.index.syncs()[ISSUER].block_number == 3
    assert harness.status(LEAF) == DocumentStatus(DocumentState.SUSPENDED, chain.timestamps[3])
    assert harness.changes == 1  # the lookup cache was told


def test_node_down_keeps_the_index_and_retries_with_smaller_spans() -> None:
    chain = RecordingChain()
    harness = Follower(chain)
    chain.set_status(ISSUER, LEAF, DocumentState.REVOKED, None)
    harness.follower.sync_once()
    chain.fail_next = 2
    with pytest.raises(ChainAccessError):
        harness.follower.sync_once()
    harness.follower._sync_safely()
    assert harness.follower.last_error is not None
    assert harness.follower.span == MAX_SPAN // 2
    assert harness.status(LEAF) == chain.status(ISSUER, LEAF)  # still answered
    harness.follower._sync_safely()  # the node is back
    assert harness.follower.last_error is None
    assert harness.follower.span == MAX_SPAN


def test_an_older_change_never_replaces_a_newer_one() -> None:
    index = MemoryStatusIndex()
    revoked = DocumentStatus(DocumentState.REVOKED, 20)
    suspended = DocumentStatus(DocumentState.SUSPENDED, 10)
    # the notary's own change, read back after its transaction in block 7
    assert index.apply([StatusChange(ISSUER, LEAF, revoked, 7, END_OF_BLOCK)], {}) == 1
    # the follower then replays block 7's earlier event
    assert index.apply([StatusChange(ISSUER, LEAF, suspended, 7, 3)], {}) == 0
    assert index.statuses([(ISSUER, LEAF)]) == {(ISSUER, LEAF): revoked}


def test_following_another_registry_starts_over() -> None:
    chain = RecordingChain()
    index = MemoryStatusIndex()
    chain.set_status(ISSUER, LEAF, DocumentState.REVOKED, None)
    Follower(chain, index).follower.sync_once()
    moved = RecordingChain("0x" + "77" * 20)  # a fresh chain, another StatusRegistry
    moved.set_status(ISSUER, OTHER_LEAF, DocumentState.SUSPENDED, None)
    harness = Follower(moved, index)
    harness.follower.sync_once()
    assert moved.ranges[0][0] == 0
    assert harness.status(LEAF) is None  # the old registry's status is gone
    assert harness.status(OTHER_LEAF) == moved.status(ISSUER, OTHER_LEAF)
    assert index.syncs()[ISSUER].registry == moved.status_registry


def test_the_follower_polls_once_per_period_and_stamps_its_sync_with_the_clock() -> None:
    clock = ManualClock(now=1_700_000_000.0)
    chain = RecordingChain()
    harness = Follower(chain, clock=clock)
    harness.follower.start()  # the first poll runs at once
    try:
        clock.wait_for_sleep(THREAD, 1)
        assert harness.follower.synced[ISSUER].synced_at == 1_700_000_000.0
        chain.set_status(ISSUER, LEAF, DocumentState.SUSPENDED, None)
        clock.advance(59)  # within the period: no poll
        assert harness.status(LEAF) is None
        assert clock.sleeps(THREAD) == 1
        clock.advance(1)
        clock.wait_for_sleep(THREAD, 2)
        assert harness.status(LEAF) == chain.status(ISSUER, LEAF)
        assert harness.follower.synced[ISSUER].synced_at == 1_700_000_060.0
        assert clock.timeouts == [60, 60]
    finally:
        harness.follower.stop(timeout=10)
    assert not harness.follower._thread.is_alive()  # stop ends the wait; the clock never moved


def test_a_failed_poll_is_retried_one_period_later() -> None:
    clock = ManualClock()
    chain = RecordingChain()
    chain.fail_next = 1
    harness = Follower(chain, clock=clock)
    harness.follower.start()
    try:
        clock.wait_for_sleep(THREAD, 1)
        assert harness.follower.last_error is not None
        clock.advance(60)
        clock.wait_for_sleep(THREAD, 2)
        assert harness.follower.last_error is None
        assert harness.follower.synced[ISSUER].block_number == chain.head()
    finally:
        harness.follower.stop(timeout=10)
