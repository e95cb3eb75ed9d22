"""One request, one time budget (security review: a JSON-RPC batch of 1000 expensive
eth_calls burned a core for ~28 minutes, each item with its own 5 s). On a real node
process: a batch costs about ``--rpc-evm-timeout`` in total, a client that hangs up
frees its worker, and the node stops quickly and cleanly while a call runs."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.node.test_call_limits import GAS_LEFT, LOOP, rpc, start_limited_node
from tests.support.node_process import NodeProcess, start_node_process
from tests.support.waiting import wait_until

#: Gas for a loop that runs for about a minute (30M gas take 1-2 s).
LONG_GAS = 1_000_000_000


def _batch(size: int, gas: int) -> list[dict[str, object]]:
    call = {"data": LOOP, "gas": hex(gas)}
    return [
        {"jsonrpc": "2.0", "id": i, "method": "eth_call", "params": [call]} for i in range(size)
    ]


def test_batch_of_expensive_calls_shares_one_time_budget(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node", "--rpc-evm-timeout", "0.5")
    try:
        started = time.monotonic()
        answers = httpx.post(node.rpc_url, json=_batch(40, 30_000_000), timeout=120).json()
        elapsed = time.monotonic() - started
    finally:
        node.terminate()
    assert len(answers) == 40
    assert all(a["error"] == {"code": -32000, "message": "execution timeout"} for a in answers)
    assert elapsed < 4  # 40 items x 0.5 s each would be 20 s


def _long_call_running(node: NodeProcess) -> bool:
    """One worker, no queue: a cheap call is refused while the long one runs."""
    answer = rpc(node.rpc_url, "eth_call", {"data": GAS_LEFT, "gas": "0x100000"})
    return "error" in answer and answer["error"]["code"] == -32005


def _send_long_call(node: NodeProcess) -> socket.socket:
    url = urlsplit(node.rpc_url)
    body = json.dumps(_batch(1, LONG_GAS)[0]).encode()
    sock = socket.create_connection((url.hostname, url.port))
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    sock.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return sock


@pytest.fixture
def slow_node(tmp_path: Path) -> Iterator[NodeProcess]:
    node = start_limited_node(tmp_path / "slow", evm_timeout=120.0)
    yield node
    node.terminate()


def test_client_that_disconnects_frees_its_worker(slow_node: NodeProcess) -> None:
    sock = _send_long_call(slow_node)
    wait_until("the long call to run", lambda: _long_call_running(slow_node), 10, every=0.05)
    sock.close()
    wait_until("its worker to be free", lambda: not _long_call_running(slow_node), 5, every=0.05)


def test_node_stops_quickly_and_cleanly_during_a_long_call(slow_node: NodeProcess) -> None:
    sock = _send_long_call(slow_node)
    try:
        wait_until("the long call to run", lambda: _long_call_running(slow_node), 10, every=0.05)
        started = time.monotonic()
        slow_node.process.send_signal(signal.SIGINT)
        output, _ = slow_node.process.communicate(timeout=60)
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    assert elapsed < 5, output
    assert "Traceback" not in output, output
