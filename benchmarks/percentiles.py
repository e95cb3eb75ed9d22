"""Latency samples summarised the way the benchmarks print them: nearest-rank percentiles.

Nearest rank (the smallest sample with at least ``p`` of the samples at or below it) and
not interpolation: a printed p95 is then always a latency some request really had.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank ``fraction`` percentile (0 < fraction <= 1) of ``samples``."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@dataclasses.dataclass(frozen=True)
class LatencySummary:
    """Count, p50, p95, p99 and maximum of latency samples, in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    maximum: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> LatencySummary:
        return cls(
            len(samples),
            percentile(samples, 0.50),
            percentile(samples, 0.95),
            percentile(samples, 0.99),
            max(samples),
        )

    def describe(self) -> str:
        return (
            f"n={self.count} p50 {self.p50 * 1000:,.0f} ms, p95 {self.p95 * 1000:,.0f} ms, "
            f"p99 {self.p99 * 1000:,.0f} ms, max {self.maximum * 1000:,.0f} ms"
        )
