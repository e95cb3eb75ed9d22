"""Subscriptions per WebSocket connection are capped (security review: one connection
held 90,000 newHeads subscriptions). A real node process with
``max_subscriptions_per_connection = 5``: the sixth answers -32005, an unsubscribe frees
a place, and another connection has its own allowance."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.support.node_process import NodeProcess, start_node_process

LIMIT = 5


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeProcess]:
    config = tmp_path / "limits.toml"
    config.write_text(f"max_subscriptions_per_connection = {LIMIT}\n")
    process = start_node_process(tmp_path / "node", "--config", str(config))
    yield process
    process.terminate()


def _ws_url(node: NodeProcess) -> str:
    deadline = time.monotonic() + 10
    while not (lines := [x for x in node.output if x.startswith("ws listening on ")]):
        assert time.monotonic() < deadline, node.output
        time.sleep(0.05)
    return lines[0].removeprefix("ws listening on ").strip()


def _call(ws: ClientConnection, method: str, *params: Any) -> dict[str, Any]:
    ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}))
    while True:  # skip notifications of earlier subscriptions
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if message.get("id") == 1:
            return message


def test_subscriptions_per_connection_are_capped(node: NodeProcess) -> None:
    url = _ws_url(node)
    with connect(url) as ws, connect(url) as other:
        ids = [_call(ws, "eth_subscribe", "newHeads")["result"] for _ in range(LIMIT)]
        refused = _call(ws, "eth_subscribe", "newHeads")
        assert refused["error"]["code"] == -32005, refused
        assert str(LIMIT) in refused["error"]["message"]
        assert "result" in _call(other, "eth_subscribe", "logs", {})
        assert _call(ws, "eth_unsubscribe", ids[0])["result"] is True
        assert "result" in _call(ws, "eth_subscribe", "newHeads")
