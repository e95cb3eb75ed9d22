"""The newest anchored checkpoints of each issuer, in memory, for the lookups' covering
checkpoint.

A lookup needs, per receipt, the first anchored checkpoint whose tree holds the
leaf.  Checkpoints never change once anchored, and every new one is larger than
all before it: so a process may keep the ones it has seen, sorted by size, and
find the covering one by bisection.  It keeps only the newest ``capacity`` of an
issuer (one is anchored per anchoring interval while digests arrive: a second
apart, a busy log makes tens of thousands a day); they cover the leaves from
``floor`` on, and a leaf below is looked up in the database.

What memory holds may be stale: another notary process on the same database may
have anchored since.  A covering checkpoint found in memory is still the right
one (a newer checkpoint is larger than every known one, so it covers no leaf
that a known one covers first), but *none found* is not an answer: the caller
then reads the checkpoints anchored above the largest known size (see
``SqlStore.covering_checkpoint``), adds them and looks again.  A leaf is never
shown pending because memory is behind.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Sequence

from govchain_notary.storage.repos import CheckpointRecord

CAPACITY = 10_000
"""Checkpoints kept per issuer (a few MB): hours of anchoring at one per second."""


class _Run:
    """Consecutive anchored checkpoints of one issuer: every anchored size in
    ``(floor, sizes[-1]]`` is in ``sizes``."""

    __slots__ = ("floor", "records", "sizes")

    def __init__(self, floor: int, records: list[CheckpointRecord]) -> None:
        self.floor = floor
        self.records = records
        self.sizes = [record.size for record in records]


class AnchoredIndex:
    """Per issuer, the newest anchored checkpoints seen, in increasing size."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()

    def covering(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        """The first checkpoint holding leaf ``log_index``, when memory can tell; None
        when the leaf is below ``floor`` or above every known size."""
        run = self._runs.get(issuer)  # one read: ``add`` swaps in a new run whole
        if run is None or log_index < run.floor:
            return None
        position = bisect_right(run.sizes, log_index)
        return run.records[position] if position < len(run.sizes) else None

    def floor(self, issuer: str) -> int:
        """Leaves below this are covered by checkpoints memory let go (or does not know)."""
        run = self._runs.get(issuer)
        return run.floor if run is not None else 0

    def largest(self, issuer: str) -> int:
        """Every anchored size from ``floor`` up to this one is known (0: none read yet)."""
        run = self._runs.get(issuer)
        if run is None:
            return 0
        return run.sizes[-1] if run.sizes else run.floor

    def add(self, issuer: str, newest: Sequence[CheckpointRecord], complete: bool) -> None:
        """Add checkpoints read as the newest above ``largest`` (in increasing size).

        ``complete``: they are all the anchored ones above it.  Otherwise (the read hit
        its limit) older ones may be missing between: memory restarts from these, the
        first of which only marks the new ``floor``."""
        with self._lock:
            run = self._runs.get(issuer)
            if complete:
                largest = self.largest(issuer)
                added = [record for record in newest if record.size > largest]
                if run is not None and not added:
                    return  # the usual answer for a pending leaf: nothing new
                floor = run.floor if run is not None else 0
                records = (run.records if run is not None else []) + added
            else:
                floor, records = newest[0].size, list(newest[1:])
            if len(records) > self.capacity:
                cut = len(records) - self.capacity // 2
                floor, records = records[cut - 1].size, records[cut:]
            self._runs[issuer] = _Run(floor, records)  # whole: readers take no lock
