"""``govchain up`` as a user runs it: one command, Ctrl-C, a second start reuses the data."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

DIGEST = "sha256:" + "5e" * 32


def _ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _start(data_dir: Path, ports: list[int]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            "govchain",
            "up",
            "--data-dir",
            str(data_dir),
            "--port",
            str(ports[0]),
            "--rpc-port",
            str(ports[1]),
            "--ws-port",
            str(ports[2]),
            "--block-period",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{ports[0]}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()[0]
    raise AssertionError("govchain up did not become ready")


def _interrupt(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def test_up_serves_notary_node_and_verifier_and_restarts(tmp_path: Path) -> None:
    ports = _ports(3)
    url = f"http://127.0.0.1:{ports[0]}"
    process = _start(tmp_path, ports)
    try:
        key = (tmp_path / "dev-api-key").read_text().strip()
        submitted = httpx.post(
            f"{url}/v1/digests",
            params={"wait": 20},
            json={"kind": "certificate", "digest": DIGEST},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert submitted.status_code == 200, submitted.text
        receipt_id = submitted.json()["receipts"][0]["id"]
        assert httpx.get(url + "/").status_code == 200
        rpc = httpx.post(
            f"http://127.0.0.1:{ports[1]}",
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        )
        assert rpc.json()["result"] == hex(1337)
    finally:
        output = _interrupt(process)
    assert f"API key         {key}" in output
    process = _start(tmp_path, ports)
    try:
        view = httpx.get(f"{url}/v1/receipts/{receipt_id}").json()
        assert view["status"] == "anchored"
        verdict = httpx.post(f"{url}/v1/verify", json={"receipt": view["receipt"]}).json()
        assert verdict["ok"], verdict
    finally:
        output = _interrupt(process)
    assert f"API key         {key}" in output
