"""Gap analysis for one device: what is missing, and where the device rejoined.

Two kinds of gaps, with different meanings:

* **sequence gaps**: the bridge numbers each device's readings 0, 1, 2, … in the same
  transaction that stores them, so its own sequence has no holes.  A hole among the
  sequence numbers found in a spool or at the notary therefore proves that a reading
  the bridge received was removed or never notarised.
* **frame-counter gaps**: within one LoRaWAN session the device's uplink counter
  grows by one per uplink; a jump means uplinks were lost on the radio or at the
  network server before the bridge saw them.  A counter that goes *down* marks a new
  session (a rejoin resets it), so it is reported as a reset, not as a gap.

Pure functions over ``(seq, f_cnt)`` pairs in sequence order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CounterGap:
    """Frame counters ``first..last`` (inclusive) never seen, between ``after_seq`` and the next."""

    after_seq: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class GapReport:
    missing_seqs: tuple[tuple[int, int], ...]
    """Inclusive ranges of sequence numbers below ``next_seq`` that have no reading."""
    counter_gaps: tuple[CounterGap, ...]
    resets: tuple[int, ...]
    """Sequence numbers whose frame counter is lower than the previous one (new session)."""
    readings: int
    next_seq: int

    @property
    def complete(self) -> bool:
        """No gap of either kind (a counter reset after a rejoin is not a gap)."""
        return not self.missing_seqs and not self.counter_gaps


def analyse(rows: Sequence[tuple[int, int]], next_seq: int | None = None) -> GapReport:
    """Gaps in ``(seq, f_cnt)`` rows sorted by ``seq``; ``next_seq`` bounds the sequence."""
    end = next_seq if next_seq is not None else (rows[-1][0] + 1 if rows else 0)
    return GapReport(
        missing_seqs=tuple(_missing([seq for seq, _ in rows], end)),
        counter_gaps=tuple(_counter_gaps(rows)),
        resets=tuple(seq for (_, prev), (seq, f_cnt) in itertools.pairwise(rows) if f_cnt < prev),
        readings=len(rows),
        next_seq=end,
    )


def _missing(seqs: Sequence[int], end: int) -> list[tuple[int, int]]:
    ranges = []
    expected = 0
    for seq in seqs:
        if seq > expected:
            ranges.append((expected, seq - 1))
        expected = max(expected, seq + 1)
    if end > expected:
        ranges.append((expected, end - 1))
    return ranges


def _counter_gaps(rows: Sequence[tuple[int, int]]) -> list[CounterGap]:
    gaps = []
    for (seq, prev), (_, f_cnt) in itertools.pairwise(rows):
        if f_cnt > prev + 1:
            gaps.append(CounterGap(seq, prev + 1, f_cnt - 1))
    return gaps
