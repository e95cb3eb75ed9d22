"""A TCP proxy for fault injection between two transports: cut, stall, slow and heal links.

``cut()`` aborts every open pipe and refuses new ones (a link going down hard);
``stall()`` keeps sockets open but forwards nothing (a black hole: only keepalives can
notice); ``heal()`` restores forwarding for new and stalled pipes. ``delay`` (seconds)
holds every chunk of the target's answers that long after it arrived before passing it
on: a latency, not a throughput limit, so one HTTP request/response takes ``delay``
longer whatever its size (a slow remote node). ``threaded_proxy`` runs one in a thread
of its own for synchronous tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, delay: float = 0.0) -> None:
        self._target = (target_host, target_port)
        self.delay = delay
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._cut = False
        #: Connections that reached the proxy (``attempts``, cut ones included) and those
        #: it piped to the target (``accepted``).
        self.attempts = 0
        self.accepted = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def cut(self) -> None:
        self._cut = True
        for writer in list(self._pipes):
            writer.transport.abort()

    def stall(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._cut = False
        self._flowing.set()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.attempts += 1
        if self._cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(*self._target), 2)
        except (OSError, TimeoutError):
            writer.transport.abort()
            return
        self.accepted += 1
        self._pipes.update((writer, up_writer))
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer, delayed=True)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
                self._tasks.discard(task)
            for w in (writer, up_writer):
                self._pipes.discard(w)
                w.transport.abort()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, delayed: bool = False
    ) -> None:
        if delayed and self.delay > 0:
            await self._pump_late(source, sink)
            return
        with contextlib.suppress(OSError, ConnectionError):
            while data := await source.read(65536):
                await self._flowing.wait()
                if self._cut:
                    return
                sink.write(data)
                await sink.drain()

    async def _pump_late(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """Forward each chunk ``delay`` seconds after it arrived, in order."""
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def read() -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await source.read(65536):
                    chunks.put_nowait((time.monotonic() + self.delay, data))
            chunks.put_nowait((time.monotonic() + self.delay, b""))

        reading = asyncio.create_task(read())
        try:
            with contextlib.suppress(OSError, ConnectionError):
                while True:
                    due, data = await chunks.get()
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    await self._flowing.wait()
                    if not data or self._cut:
                        return
                    sink.write(data)
                    await sink.drain()
        finally:
            reading.cancel()


@contextlib.contextmanager
def threaded_proxy(target_host: str, target_port: int, delay: float = 0.0) -> Iterator[int]:
    """A ``TcpProxy`` on its own event loop thread, for synchronous tests; yields its port."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    proxy = TcpProxy(target_host, target_port, delay)
    try:
        yield asyncio.run_coroutine_threadsafe(proxy.start(), loop).result(timeout=10)
    finally:
        asyncio.run_coroutine_threadsafe(proxy.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
