"""Token-bucket rate limits, per API client and per address for public reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from govchain_notary.errors import RateLimitedError

MAX_BUCKETS = 100_000


class RateLimiter:
    """``rate`` tokens per second, at most ``burst`` saved; one bucket per key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float, burst: float, cost: float = 1.0) -> None:
        """Spend ``cost`` tokens or raise ``RateLimitedError`` with the wait needed."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < cost:
                self._buckets[key] = (tokens, now)
                raise RateLimitedError(
                    f"rate limit of {rate:g} requests/s exceeded",
                    retry_after=max((cost - tokens) / rate, 0.001),
                )
            if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
                self._buckets.clear()  # bounded memory; a reset only ever lets clients in
            self._buckets[key] = (tokens - cost, now)
