"""Long-polling requests waiting until their leaves are anchored."""

from __future__ import annotations

import asyncio
import threading


class Waiters:
    """Requests long-polling until an issuer's anchored size reaches theirs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[tuple[str, int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def add(self, issuer: str, size: int) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._waiting.append((issuer, size, loop, future))
        return future

    def release(self, issuer: str, anchored: int) -> None:
        with self._lock:
            ready = [w for w in self._waiting if w[0] == issuer and w[1] <= anchored]
            self._waiting = [w for w in self._waiting if not (w[0] == issuer and w[1] <= anchored)]
        for _, _, loop, future in ready:
            loop.call_soon_threadsafe(_resolve, future)

    def discard(self, future: asyncio.Future[None]) -> None:
        with self._lock:
            self._waiting = [w for w in self._waiting if w[3] is not future]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
