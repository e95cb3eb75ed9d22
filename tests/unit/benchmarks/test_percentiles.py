"""Nearest-rank percentiles: every printed percentile is a latency some request had."""

from __future__ import annotations

import pytest

from benchmarks.percentiles import LatencySummary, percentile


def test_nearest_rank_of_ten_samples() -> None:
    samples = [float(n) for n in range(10, 0, -1)]  # unsorted on purpose
    assert percentile(samples, 0.5) == 5.0
    assert percentile(samples, 0.95) == 10.0
    assert percentile(samples, 0.1) == 1.0
    assert percentile(samples, 1.0) == 10.0


def test_a_single_sample_is_every_percentile() -> None:
    assert LatencySummary.of([0.25]) == LatencySummary(1, 0.25, 0.25, 0.25, 0.25)


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.5])
def test_fraction_outside_the_unit_interval_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        percentile([1.0], fraction)


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        LatencySummary.of([])


def test_describe_in_milliseconds() -> None:
    text = LatencySummary.of([0.1, 0.2, 0.3, 2.0]).describe()
    assert text == "n=4 p50 200 ms, p95 2,000 ms, p99 2,000 ms, max 2,000 ms"
