"""A cache of public lookups by digest, as ready-to-send JSON bytes.

The web verifier asks for the same digests again and again, and an anchored
receipt never changes: only the document status (read from the status index) can.
So a complete answer is kept for ``ttl`` seconds (default 30 s), dropped at once
when this notary accepts the digest again or changes its status, and never kept
while any of its receipts is still pending.  When the status follower records a
status changed on chain by someone else, the whole cache is cleared (``clear``):
such changes are rare, and the cache does not know which digest a leaf hash
belongs to.  The ttl so only bounds what no invalidation reaches (a receipt that
another notary replica on the same database added for the digest) and how old
the answer's ``status_as_of`` may get.  A digest still asked for in the second
half of its life is refreshed ahead, once: ``lookup`` hands the refresh to exactly
one caller, who must run it, and the entry is served while that refresh runs, up to
``3 × ttl`` old: hot digests never make a client wait for the database.  A refresh
(or a miss) that read the database before an invalidation does not store its answer
(``token``/``put``): an invalidation is never undone by a read that started earlier.
The web verifier reads the status from a node itself, so the lookup's status is a convenience.
A read replica (``role = "reader"``) has no follower: its ``status_watcher`` clears the
cache when the shared status index changed, one block period at most after the writer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable


class LookupCache:
    def __init__(
        self, ttl: float, capacity: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        # digest -> (expires, refresh from, body); refresh-from is +inf once claimed
        self._entries: OrderedDict[str, tuple[float, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._invalidations = 0  # forget and clear calls so far

    def token(self) -> int:
        """Take before reading the database; ``put`` drops the answer if an
        invalidation happened since."""
        with self._lock:
            return self._invalidations

    def lookup(self, digest: str) -> tuple[bytes | None, bool]:
        """The cached body, and whether the caller should refresh it (said only once)."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None, False
            expires, refresh_from, body = entry
            if expires + 2 * self.ttl < now:  # refreshes failed for too long
                del self._entries[digest]
                return None, False
            if expires < now and refresh_from <= now:  # expired and nobody refreshing
                del self._entries[digest]
                return None, False
            if refresh_from <= now:
                self._entries[digest] = (expires, float("inf"), body)
                return body, True
            return body, False

    def put(self, digest: str, body: bytes, token: int | None = None) -> None:
        if self.ttl <= 0:
            return
        now = self.clock()
        with self._lock:
            if token is not None and token != self._invalidations:
                return
            self._entries[digest] = (now + self.ttl, now + self.ttl / 2, body)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._invalidations += 1
            self._entries.clear()

    def forget(self, digests: Iterable[str]) -> None:
        with self._lock:
            self._invalidations += 1
            if not self._entries:
                return
            for digest in self._entries.keys() & set(digests):
                del self._entries[digest]
