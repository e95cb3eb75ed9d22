"""The digest indexer: one thread of the writer's process that merges recent digests.

The group commit writes each digest to the small ``recent_digests`` level of the
digest lookup; this thread moves them into the large ``digest_index`` (see
``storage.digest_merge``) once ``merge_at`` have gathered, or as soon as the writer
has been idle for ``idle_after`` seconds.  A pass moves the backlog slice by slice,
one digest range of about ``slice_rows`` per transaction, so that on SQLite the
group commit never waits for the write lock longer than one slice takes.

The GIL: a slice is a few statements (the move, its commit, a WAL checkpoint),
each run by the driver with the GIL released; the Python around them takes about
0.2 ms per slice of 5,000 digests (``benchmarks/notary_digest_index.py``), against
15-35 ms of database work.  What the thread shares with the writer is the database
(SQLite's single write lock, taken in turns, see ``Turns``) and the CPU cores.
"""

from __future__ import annotations

import logging
import threading

from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.storage.repos import DigestIndexStore

logger = logging.getLogger(__name__)


class DigestIndexer:
    """Moves committed digests into the merged digest index on its own thread."""

    def __init__(
        self,
        store: DigestIndexStore,
        merge_at: int,
        slice_rows: int,
        idle_after: float,
        retry_delay: float = 1.0,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.merge_at = merge_at
        self.slice_rows = slice_rows
        self.idle_after = idle_after
        self.retry_delay = retry_delay
        self.clock = clock
        self.merged = 0  # digests moved since start
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notary-digest-index", daemon=True)

    def start(self) -> None:
        """Count the backlog left by the last run, then start merging; call it before
        the writer starts, so that the count and the writer's additions agree."""
        self.store.unmerged_digests()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the slice in progress (merging is resumable at any slice)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def backlog(self) -> int:
        """Committed digests not yet in the merged index."""
        return self.store.unmerged_digests()

    def notify(self) -> None:
        """Writer callback after each group commit: the writer is busy, digests grew."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = self.clock.wait(self._wake, self.idle_after)
            self._wake.clear()
            backlog = self.store.unmerged_digests()
            if backlog >= self.merge_at or (backlog and not busy):
                self._merge_safely()

    def _merge_safely(self) -> None:
        try:
            self.merge_pass()
            self.last_error = None
        except Exception as exc:  # the thread must survive any database failure
            logger.warning("merging the digest index failed: %s", exc)
            self.last_error = str(exc)
            self.clock.wait(self._stop, self.retry_delay)
            self._wake.set()  # then look again at once

    def merge_pass(self) -> int:
        """Move the current backlog, slice by slice; return how many digests moved."""
        moved = 0
        for low, high in self.store.digest_slices(self.slice_rows):
            if self._stop.is_set():
                break
            moved += self.store.merge_digests(low, high)
        self.merged += moved
        return moved
