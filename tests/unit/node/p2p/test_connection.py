"""A peer connection's send queue is bounded: overflow is dropped and counted, never awaited."""

from __future__ import annotations

import asyncio
import socket

from govchain_node.p2p.connection import ConnectionLimits, PeerConnection
from govchain_node.p2p.framing import Frame, read_frame
from govchain_node.p2p.identity import NodeIdentity, Role

IDENTITY = NodeIdentity(b"\x01" * 20, Role.VALIDATOR)


async def _pair(
    queue: int, queue_bytes: int = 1 << 20
) -> tuple[PeerConnection, asyncio.StreamReader, asyncio.StreamWriter]:
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    peer_reader, peer_writer = await asyncio.open_connection(sock=theirs)
    limits = ConnectionLimits(
        max_frame_bytes=4096,
        send_queue_frames=queue,
        ping_interval=0.2,
        idle_timeout=1.0,
        send_queue_bytes=queue_bytes,
    )
    connection = PeerConnection(IDENTITY, reader, writer, outbound=True, limits=limits)
    return connection, peer_reader, peer_writer


def test_full_queue_drops_and_counts() -> None:
    async def scenario() -> None:
        connection, _, peer_writer = await _pair(queue=3)
        assert [connection.enqueue(Frame(0x30, bytes([i]))) for i in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        assert connection.stats.frames_dropped == 2
        peer_writer.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))


def test_queued_bytes_are_bounded_too() -> None:
    async def scenario() -> None:
        connection, peer_reader, peer_writer = await _pair(queue=100, queue_bytes=10_000)
        accepted = [connection.enqueue(Frame(0x30, bytes(4000))) for _ in range(3)]
        assert accepted == [True, True, False]
        assert connection.enqueue(Frame(0x30, bytes(2000)))  # still fits
        task = asyncio.create_task(connection.run(lambda frame: None))
        for _ in range(3):
            await asyncio.wait_for(read_frame(peer_reader), 2)
        assert connection.enqueue(Frame(0x30, bytes(4000)))  # drained: room again
        connection.close()
        await asyncio.wait_for(task, 2)
        peer_writer.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))


def test_frames_arrive_in_order_keepalive_flows_and_idle_link_closes() -> None:
    async def scenario() -> None:
        connection, peer_reader, peer_writer = await _pair(queue=10)
        delivered: list[Frame] = []
        task = asyncio.create_task(connection.run(delivered.append))
        for i in range(3):
            connection.enqueue(Frame(0x30, bytes([i])))
        got = [await read_frame(peer_reader) for _ in range(3)]
        assert got == [Frame(0x30, bytes([i])) for i in range(3)]
        ping = await asyncio.wait_for(read_frame(peer_reader), 2)  # idle writer pings
        assert ping == Frame(0x02, b"")
        # the peer never answers: the reader gives up after idle_timeout
        await asyncio.wait_for(task, 5)
        assert connection.close_reason == "idle timeout"
        assert not connection.enqueue(Frame(0x30, b"late"))
        peer_writer.close()

    asyncio.run(asyncio.wait_for(scenario(), 15))


def test_close_ends_run_promptly() -> None:
    async def scenario() -> None:
        connection, peer_reader, peer_writer = await _pair(queue=10)
        task = asyncio.create_task(connection.run(lambda frame: None))
        # Running, as a frame through its writer shows (not a sleep that hopes so).
        connection.enqueue(Frame(0x30, b"up"))
        assert await asyncio.wait_for(read_frame(peer_reader), 2) == Frame(0x30, b"up")
        connection.close("test")
        await asyncio.wait_for(task, 2)
        assert connection.close_reason == "test"
        peer_writer.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))
