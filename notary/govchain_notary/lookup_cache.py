"""A short-lived cache of public lookups by digest, as ready-to-send JSON bytes.

The web verifier asks for the same digests again and again, and an anchored
receipt never changes: only the document status (read from the chain) can.  So a
complete answer is kept for ``ttl`` seconds (default 5 s), dropped at once when
this notary accepts the digest again or changes its status, and never kept while
any of its receipts is still pending.  A status changed on chain by someone else
shows here at most ``ttl`` late; the web verifier reads the status from a node
itself, so the lookup's status is a convenience, not the evidence.
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
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry[0] < self.clock():
                del self._entries[digest]
                return None
            return entry[1]

    def put(self, digest: str, body: bytes) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[digest] = (self.clock() + self.ttl, body)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def forget(self, digests: Iterable[str]) -> None:
        with self._lock:
            if not self._entries:
                return
            for digest in self._entries.keys() & set(digests):
                del self._entries[digest]
