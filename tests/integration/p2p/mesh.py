"""Helpers for transport tests on 127.0.0.1: bounded runs, inboxes, linked pairs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from govchain_node.p2p.transport import Transport
from tests.support.p2p_material import NodeMaterial, config, peer

T = TypeVar("T")

#: Ceiling for one whole scenario; a hang fails the test instead of blocking the suite.
SCENARIO_TIMEOUT = 30.0


def run(scenario: Awaitable[T], timeout: float = SCENARIO_TIMEOUT) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(scenario, timeout)

    return asyncio.run(bounded())


class Inbox:
    """Records ``on_message`` calls: ``(from_peer, code, payload)``."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, int, bytes]] = []

    def __call__(self, peer: bytes, code: int, payload: bytes) -> None:
        self.messages.append((peer, code, payload))

    def payloads(self, code: int | None = None) -> list[bytes]:
        return [p for _, c, p in self.messages if code is None or c == code]


async def start_link(
    low: NodeMaterial, high: NodeMaterial, high_inbox: Inbox, low_inbox: Inbox
) -> tuple[Transport, Transport, int]:
    """Start ``high`` listening on a free port and ``low`` dialling it.

    Returns ``(server, client, port)``.
    """
    server = Transport(config(high, (peer(low, 1),)), high_inbox)
    port = await server.start()
    client = Transport(config(low, (peer(high, port),)), low_inbox)
    await client.start()
    return server, client, port
