"""Regression (issue 13 item 11): a client that disconnected mid-body made the node log
a full traceback each time. One line each, on HTTP; nothing on WebSocket."""

from __future__ import annotations

import base64
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.support.node_process import start_node_process

GONE = "disconnected before sending the whole body"


def _half_post(host: str, port: int) -> None:
    with socket.create_connection((host, port)) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"jsonrpc":'
        )


def _half_websocket_frame(host: str, port: int) -> None:
    with socket.create_connection((host, port)) as sock:
        key = base64.b64encode(os.urandom(16))
        sock.sendall(
            b"GET / HTTP/1.1\r\nHost: node\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 101")
        # A masked text frame announcing 256 bytes, of which 10 arrive.
        sock.sendall(bytes([0x81, 0xFE, 0x01, 0x00]) + b"\x00" * 4 + b"{" * 10)


def test_a_client_gone_mid_body_is_one_log_line(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node", "--log-level", "INFO")
    try:
        address = urlsplit(node.rpc_url)
        host, port = str(address.hostname), int(address.port or 0)
        for _ in range(3):
            _half_post(host, port)
        _half_websocket_frame(host, port)
        deadline = time.monotonic() + 30
        while sum(GONE in line for line in node.output) < 3:
            assert time.monotonic() < deadline, node.output
            time.sleep(0.05)
        probe = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}
        assert httpx.post(node.rpc_url, json=probe).json()["result"] == "0x539"
    finally:
        node.terminate()
    assert sum(GONE in line for line in node.output) == 3
    assert not [line for line in node.output if "Traceback" in line], node.output
