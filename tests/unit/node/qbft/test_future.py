"""The future-height buffer of the QBFT runner (bounds chosen by the driver and the simulator)."""

from __future__ import annotations

from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Prepare, PreparePayload, Signed

DIGEST = b"\x11" * 32


def prepare(height: int, tag: int = 0) -> Prepare:
    return Prepare(Signed(PreparePayload(height, tag, DIGEST), bytes(65)))


def test_only_the_next_heights_are_held_and_drained_by_height_then_arrival() -> None:
    future = FutureMessages(max_ahead=2, capacity=10)
    assert not future.hold(prepare(5), running=5)  # the running height is fed, not held
    assert not future.hold(prepare(4), running=5)  # the past is not held
    assert not future.hold(prepare(8), running=5)  # too far ahead
    later, first, second = prepare(7), prepare(6, 0), prepare(6, 1)
    assert all(future.hold(m, running=5) for m in (later, first, second))
    assert len(future) == 3
    assert future.drain() == [first, second, later]
    assert len(future) == 0
    assert future.drain() == []


def test_capacity_bounds_memory() -> None:
    future = FutureMessages(max_ahead=1, capacity=2)
    assert future.hold(prepare(2), running=1)
    assert future.hold(prepare(2), running=1)
    assert not future.hold(prepare(2), running=1)
    future.clear()
    assert future.hold(prepare(2), running=1)
