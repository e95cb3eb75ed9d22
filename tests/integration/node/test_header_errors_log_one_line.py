"""A request with an over-long header line or too many headers is one log line, not a
~10-line aiohttp traceback each (security review), on a real node process."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.support.node_process import start_node_process

LOGGED = "Error handling request"


def _send(host: str, port: int, head: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head)
        return sock.recv(64)


def test_bad_headers_log_one_line_each(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node", "--log-level", "INFO")
    try:
        address = urlsplit(node.rpc_url)
        host, port = str(address.hostname), int(address.port or 0)
        long_line = b"POST / HTTP/1.1\r\nHost: n\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n"
        many = b"".join(b"X-%d: 1\r\n" % i for i in range(1000))
        for head in (long_line, b"POST / HTTP/1.1\r\nHost: n\r\n" + many + b"\r\n"):
            assert _send(host, port, head).split(b" ")[1].startswith(b"4")
        deadline = time.monotonic() + 30
        while sum(LOGGED in line for line in node.output) < 2:
            assert time.monotonic() < deadline, node.output
            time.sleep(0.05)
        probe = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
        assert httpx.post(node.rpc_url, json=probe).json()["result"] == "0x539"
    finally:
        node.terminate()
    logged = [line for line in node.output if LOGGED in line]
    assert len(logged) == 2, node.output
    assert any("LineTooLong" in line for line in logged), logged
    assert not [line for line in node.output if "Traceback" in line], node.output
