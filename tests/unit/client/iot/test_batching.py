"""Batch limits, content-derived idempotency keys and back-off."""

from __future__ import annotations

import pytest

from govchain_client.iot.batching import Backoff, BatchItem, BatchPolicy, batch_key
from govchain_client.iot.errors import BatchingError

ITEMS = (
    BatchItem(1, "sha256:" + "aa" * 32, "0004a30b001c0530", 0),
    BatchItem(2, "sha256:" + "bb" * 32, "70b3d57ed005b89a", 0),
)


@pytest.mark.parametrize(("size", "window"), [(0, 1.0), (10_001, 1.0), (10, 0.0), (10, 3601.0)])
def test_limits_are_validated_once(size: int, window: float) -> None:
    with pytest.raises(BatchingError):
        BatchPolicy(size, window)


def test_batch_closes_on_size_or_window() -> None:
    policy = BatchPolicy(size=100, window=2.0)
    assert policy.wait(0, None) == 2.0
    assert policy.wait(100, 0.0) == 0.0
    assert policy.wait(5, 0.5) == 1.5
    assert policy.wait(5, 2.5) == 0.0


def test_key_depends_on_content_only() -> None:
    same = tuple(
        BatchItem(item.reading_id + 100, item.digest, item.device, item.seq) for item in ITEMS
    )
    assert batch_key(ITEMS) == batch_key(same)  # spool row ids are not submitted
    assert batch_key(ITEMS).startswith("iot-batch-v1-")
    assert len(batch_key(ITEMS)) <= 255


@pytest.mark.parametrize(
    "other",
    [
        ITEMS[::-1],
        ITEMS[:1],
        (ITEMS[0], BatchItem(2, ITEMS[1].digest, ITEMS[1].device, 1)),
        (ITEMS[0], BatchItem(2, ITEMS[1].digest, "0004a30b001c0531", 0)),
        (ITEMS[0], BatchItem(2, "sha256:" + "cc" * 32, ITEMS[1].device, 0)),
    ],
)
def test_key_changes_with_any_submitted_field(other: tuple[BatchItem, ...]) -> None:
    assert batch_key(other) != batch_key(ITEMS)


def test_backoff_grows_caps_and_honours_retry_after() -> None:
    backoff = Backoff(base=1.0, cap=8.0)
    assert 0.5 <= backoff.delay(0) <= 1.0
    assert 4.0 <= backoff.delay(3) <= 8.0
    assert backoff.delay(100) <= 8.0
    assert backoff.delay(5, retry_after=2.0) == 2.0
    assert backoff.delay(5, retry_after=60.0) == 8.0
