"""The anchored checkpoints of each issuer, in memory, for the lookups' covering checkpoint.

A lookup needs, per receipt, the first anchored checkpoint whose tree holds the
leaf.  Checkpoints are few (one per anchoring interval), never change once
anchored, and every new one is larger than all before it: so a process may keep
the ones it has seen, sorted by size, and find the covering one by bisection.

What it has seen may be stale: another notary process on the same database may
have anchored since.  A covering checkpoint found in memory is still the right
one (a newer checkpoint is larger than every known one, so it covers no leaf
that a known one covers first), but *none found* is not an answer: the caller
then asks the database for the checkpoints above the largest known size (see
``SqlStore.covering_checkpoint``), adds them and looks again.  A leaf is never
shown pending because memory is behind.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable

from govchain_notary.storage.repos import CheckpointRecord


class AnchoredIndex:
    """Per issuer, the anchored checkpoints seen so far, in increasing size."""

    def __init__(self) -> None:
        self._sizes: dict[str, list[int]] = {}
        self._records: dict[str, list[CheckpointRecord]] = {}
        self._lock = threading.Lock()

    def covering(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        """The first known checkpoint holding leaf ``log_index``; None when none known
        does (the database may know a newer one)."""
        sizes = self._sizes.get(issuer)
        if not sizes:
            return None
        position = bisect_right(sizes, log_index)
        return self._records[issuer][position] if position < len(sizes) else None

    def largest(self, issuer: str) -> int:
        """The largest known size (0 when none is known)."""
        sizes = self._sizes.get(issuer)
        return sizes[-1] if sizes else 0

    def add(self, issuer: str, records: Iterable[CheckpointRecord]) -> None:
        """Add anchored checkpoints read in increasing size; ones already known are skipped
        (two threads may read the same new checkpoints)."""
        with self._lock:
            sizes = list(self._sizes.get(issuer, ()))
            kept = list(self._records.get(issuer, ()))
            for record in records:
                if not sizes or record.size > sizes[-1]:
                    sizes.append(record.size)
                    kept.append(record)
            # new lists, the records first: a reader bisects the sizes without the
            # lock, then indexes records at least as long
            self._records[issuer] = kept
            self._sizes[issuer] = sizes
