"""One authenticated peer connection: a bounded send queue, a writer and a reader task.

Why a queue per peer: consensus must never wait for a slow peer. ``enqueue`` is
non-blocking; when a peer's queue is full the frame is dropped and counted (QBFT recovers
from lost messages by round change, and transactions are gossiped by others too), so one
stalled municipality cannot grow our memory or stall our broadcast to the rest.

Liveness: the writer sends PING after ``ping_interval`` without traffic and the reader
closes the connection after ``idle_timeout`` without any frame, so a silently dead link
(cable pulled, NAT entry gone) is noticed and the dialer reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import ssl
import time
from collections.abc import Callable

from govchain_node.p2p import codes
from govchain_node.p2p.errors import FrameError
from govchain_node.p2p.framing import Frame, read_frame, write_frame
from govchain_node.p2p.identity import NodeIdentity

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ConnectionLimits:
    """Bounds of one connection; validated once by :class:`TransportConfig`."""

    max_frame_bytes: int
    send_queue_frames: int
    ping_interval: float
    idle_timeout: float
    #: Bytes of payload queued for one peer; with 8 MiB frames a frame count alone would
    #: still allow gigabytes.
    send_queue_bytes: int = 64 * 1024 * 1024


@dataclasses.dataclass
class ConnectionStats:
    frames_sent: int = 0
    frames_received: int = 0
    frames_dropped: int = 0


class PeerConnection:
    """A connection whose peer has proven ``identity``; see the module docstring."""

    def __init__(
        self,
        identity: NodeIdentity,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        outbound: bool,
        limits: ConnectionLimits,
    ) -> None:
        self.identity = identity
        self.outbound = outbound
        self.limits = limits
        self.stats = ConnectionStats()
        self.since = time.time()
        self.close_reason = ""
        self._reader = reader
        self._writer = writer
        self._queue: asyncio.Queue[Frame] = asyncio.Queue(limits.send_queue_frames)
        self._queued_bytes = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    @property
    def writer(self) -> asyncio.StreamWriter:
        return self._writer

    def enqueue(self, frame: Frame) -> bool:
        """Queue ``frame``; ``False`` (and counted) if the queue is full or closed."""
        if self._closed:
            return False
        size = len(frame.payload)
        if self._queued_bytes + size > self.limits.send_queue_bytes or self._queue.full():
            self.stats.frames_dropped += 1
            return False
        self._queue.put_nowait(frame)
        self._queued_bytes += size
        return True

    async def run(self, deliver: Callable[[Frame], None]) -> None:
        """Serve until the link fails, the peer leaves or :meth:`close` is called."""
        self._tasks = [
            asyncio.create_task(self._read_loop(deliver), name="p2p-read"),
            asyncio.create_task(self._write_loop(), name="p2p-write"),
        ]
        try:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._closed = True
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await close_writer(self._writer)

    def close(self, reason: str = "closed locally") -> None:
        """Stop both tasks; :meth:`run` returns soon after."""
        if not self.close_reason:
            self.close_reason = reason
        self._closed = True
        for task in self._tasks:
            task.cancel()

    async def _read_loop(self, deliver: Callable[[Frame], None]) -> None:
        try:
            while True:
                frame = await asyncio.wait_for(
                    read_frame(self._reader, self.limits.max_frame_bytes),
                    self.limits.idle_timeout,
                )
                if frame is None:
                    self.close_reason = self.close_reason or "peer closed the connection"
                    return
                self.stats.frames_received += 1
                if frame.code == codes.PING:
                    self.enqueue(Frame(codes.PONG, b""))
                elif frame.code not in codes.CONNECTION_CODES:
                    deliver(frame)
        except TimeoutError:
            self.close_reason = self.close_reason or "idle timeout"
        except (FrameError, OSError, ssl.SSLError) as exc:
            self.close_reason = self.close_reason or f"read failed: {exc!r}"

    async def _write_loop(self) -> None:
        try:
            while True:
                try:
                    frame = await asyncio.wait_for(self._queue.get(), self.limits.ping_interval)
                    self._queued_bytes -= len(frame.payload)
                except TimeoutError:
                    frame = Frame(codes.PING, b"")
                await asyncio.wait_for(
                    write_frame(self._writer, frame, self.limits.max_frame_bytes),
                    self.limits.idle_timeout,
                )
                self.stats.frames_sent += 1
        except TimeoutError:
            self.close_reason = self.close_reason or "write stalled"
        except (FrameError, OSError, ssl.SSLError) as exc:
            self.close_reason = self.close_reason or f"write failed: {exc!r}"


async def close_writer(writer: asyncio.StreamWriter, timeout: float = 1.0) -> None:
    """Close a stream without letting a dead peer hold us (TLS close_notify may hang)."""
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), timeout)
    except TimeoutError:
        writer.transport.abort()
    except Exception:  # noqa: S110 - the link is already broken; closing is best effort
        pass
