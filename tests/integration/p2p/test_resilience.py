"""Links that fail: oversize frames, restarts, cut and black-holed connections."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from govchain_node.p2p.errors import FrameTooLargeError
from govchain_node.p2p.framing import HEADER
from govchain_node.p2p.transport import Transport
from tests.integration.p2p.mesh import Inbox, run, start_link
from tests.support.p2p_material import (
    FAST,
    config,
    make_pair,
    peer,
)
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import eventually

#: A reconnect must happen within the back-off cap plus a handshake on a loaded machine.
RECONNECT_BOUND = FAST["backoff_max"] * 1.25 + 3.0


async def _exchange(a: Transport, a_inbox: Inbox, b: Transport, b_inbox: Inbox, tag: bytes) -> None:
    """One frame each way must arrive (retrying sends while the link comes up)."""

    def delivered() -> bool:
        if tag not in b_inbox.payloads():
            a.send(b.address, 0x30, tag)
        if tag not in a_inbox.payloads():
            b.send(a.address, 0x30, tag)
        return tag in a_inbox.payloads() and tag in b_inbox.payloads()

    await eventually(delivered, timeout=RECONNECT_BOUND + 5, what=f"exchange {tag!r}")


def test_frame_over_the_limit_drops_the_link_not_the_node(tmp_path: Path) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        high_inbox, low_inbox = Inbox(), Inbox()
        server = Transport(config(high, (peer(low, 1),), max_frame_bytes=4096), high_inbox)
        port = await server.start()
        client = Transport(config(low, (peer(high, port),), max_frame_bytes=1 << 20), low_inbox)
        await client.start()
        try:
            await client.wait_connected(1, 10)
            assert client.send(high.address, 0x30, bytes(10_000))
            await eventually(lambda: "FrameTooLarge" in server.peer_status()[0].last_error)
            await _exchange(client, low_inbox, server, high_inbox, b"after")
            assert all(len(p) < 4096 for p in high_inbox.payloads())
            assert client.peer_status()[0].connects == 2
            with pytest.raises(FrameTooLargeError):
                server.send(low.address, 0x30, bytes(4096))
        finally:
            await client.stop()
            await server.stop()

    run(scenario())


def test_oversize_or_garbage_handshake_frames_are_refused(tmp_path: Path) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        inbox = Inbox()
        server = Transport(config(high, (peer(low, 1),)), inbox)
        port = await server.start()
        try:
            client_tls = config(low).credentials.client
            for garbage in (HEADER.pack(2**31), b"\x00\x00\x00\x05\x09junk", b"\xff" * 64):
                reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_tls)
                writer.write(garbage)
                await writer.drain()
                # The server reads our garbage where it expects HELLO and hangs up.
                while await asyncio.wait_for(reader.read(4096), 5):
                    pass
                writer.close()
            assert server.connected_peers() == []
            assert inbox.messages == []
        finally:
            await server.stop()
        # ... and it still serves honest peers afterwards
        server = Transport(config(high, (peer(low, 1),)), inbox)
        port = await server.start()
        client = Transport(config(low, (peer(high, port),)), Inbox())
        await client.start()
        try:
            await client.wait_connected(1, 10)
        finally:
            await client.stop()
            await server.stop()

    run(scenario())


async def _back_off_to_the_cap(port: int) -> None:
    """Turn away the dialer's next four attempts on ``port``: its back-off doubles from
    0.05 s, so after the fourth failure it waits the whole 0.4 s cap."""
    dials = 0

    def turn_away(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal dials
        dials += 1
        writer.transport.abort()

    listener = await asyncio.start_server(turn_away, "127.0.0.1", port)
    try:
        await eventually(lambda: dials >= 4, what="four failed redials")
    finally:
        listener.close()
        await listener.wait_closed()


@pytest.mark.parametrize("restarted", ["listener", "dialer"])
def test_reconnect_after_the_peer_restarts(tmp_path: Path, restarted: str) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        high_inbox, low_inbox = Inbox(), Inbox()
        server, client, port = await start_link(low, high, high_inbox, low_inbox)
        try:
            await _exchange(client, low_inbox, server, high_inbox, b"before")
            if restarted == "listener":
                await server.stop()
                await eventually(lambda: client.connected_peers() == [], what="disconnect")
                await _back_off_to_the_cap(port)
                server = Transport(config(high, (peer(low, 1),), port=port), high_inbox)
                await server.start()
            else:
                await client.stop()
                await eventually(lambda: server.connected_peers() == [], what="disconnect")
                client = Transport(config(low, (peer(high, port),)), low_inbox)
                await client.start()
            start = time.monotonic()
            await client.wait_connected(1, RECONNECT_BOUND)
            assert time.monotonic() - start < RECONNECT_BOUND
            await _exchange(client, low_inbox, server, high_inbox, b"after")
        finally:
            await client.stop()
            await server.stop()

    run(scenario())


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_messages_flow_again_after_the_link_heals(tmp_path: Path, fault: str) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        high_inbox, low_inbox = Inbox(), Inbox()
        timing: dict[str, Any] = {"ping_interval": 0.3, "idle_timeout": 1.5}
        server = Transport(config(high, (peer(low, 1),), **timing), high_inbox)
        port = await server.start()
        proxy = TcpProxy("127.0.0.1", port)
        proxy_port = await proxy.start()
        client = Transport(config(low, (peer(high, proxy_port),), **timing), low_inbox)
        await client.start()
        try:
            await _exchange(client, low_inbox, server, high_inbox, b"before")
            proxy.cut() if fault == "cut" else proxy.stall()
            await eventually(
                lambda: client.connected_peers() == [] and server.connected_peers() == [],
                timeout=8,
                what="both sides notice the fault",
            )
            assert not client.send(high.address, 0x30, b"lost")
            attempts = proxy.attempts
            await eventually(
                lambda: proxy.attempts > attempts, timeout=8, what="a redial during the fault"
            )
            assert client.connected_peers() == []  # the redial did not get through
            proxy.heal()
            await _exchange(client, low_inbox, server, high_inbox, b"healed")
            assert b"lost" not in high_inbox.payloads()
            assert proxy.accepted >= 2
        finally:
            await client.stop()
            await server.stop()
            await proxy.stop()

    run(scenario())


def test_pending_handshakes_are_bounded(tmp_path: Path) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        server = Transport(config(high, (peer(low, 1),), max_pending_handshakes=1), Inbox())
        port = await server.start()
        client_tls = config(low).credentials.client
        try:
            # A peer that completes TLS and then says nothing occupies the only slot ...
            _, silent = await asyncio.open_connection("127.0.0.1", port, ssl=client_tls)
            # Its slot is taken once the server's side of TLS is done too (no public view).
            await eventually(lambda: server._pending_handshakes == 1, what="the silent slot")
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_tls)
            start = time.monotonic()
            # ... so the next one is closed at once, not after the handshake timeout.
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                while await asyncio.wait_for(reader.read(4096), 5):
                    pass
            assert time.monotonic() - start < FAST["handshake_timeout"]
            writer.close()
            silent.close()
            # once the slot is free, honest peers get in
            client = Transport(config(low, (peer(high, port),)), Inbox())
            await client.start()
            try:
                await client.wait_connected(1, 10)
            finally:
                await client.stop()
        finally:
            await server.stop()

    run(scenario())
