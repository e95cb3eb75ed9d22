"""The future-height buffer the node's driver and the simulator share."""

from __future__ import annotations

from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Prepare, PreparePayload, Signed

DIGEST = b"\x11" * 32


def prepare(height: int, tag: int = 0) -> Prepare:
    return Prepare(Signed(PreparePayload(height, tag, DIGEST), bytes(65)))


def test_only_the_next_heights_are_held_and_released_in_arrival_order() -> None:
    future = FutureMessages(max_ahead=2, capacity=10)
    assert not future.hold(prepare(5), running=5)  # the running height is fed, not held
    assert not future.hold(prepare(4), running=5)  # the past is dropped
    assert not future.hold(prepare(8), running=5)  # too far ahead
    first, second, later = prepare(6, 0), prepare(6, 1), prepare(7)
    assert all(future.hold(m, running=5) for m in (first, second, later))
    assert len(future) == 3
    assert future.release(6) == [first, second]
    assert future.release(7) == [later]
    assert len(future) == 0


def test_releasing_a_height_drops_the_earlier_ones_and_keeps_the_later() -> None:
    future = FutureMessages(max_ahead=4, capacity=10)
    stale, kept = prepare(6), prepare(9)
    future.hold(stale, running=5)
    future.hold(kept, running=5)
    assert future.release(8) == []
    assert len(future) == 1
    assert future.drain() == [kept]
    assert len(future) == 0


def test_capacity_bounds_memory() -> None:
    future = FutureMessages(max_ahead=1, capacity=2)
    assert future.hold(prepare(2), running=1)
    assert future.hold(prepare(2), running=1)
    assert not future.hold(prepare(2), running=1)
    future.clear()
    assert future.hold(prepare(2), running=1)
