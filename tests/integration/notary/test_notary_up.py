"""``govchain up`` as a user runs it: one command, Ctrl-C, a second start reuses the data."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
from websockets.sync.client import connect

from tests.support.hardhat_node import HARDHAT_KEYS
from tests.support.node_rpc import RpcClient, local_account

DIGEST = "sha256:" + "5e" * 32
#: Addresses of Hardhat's first three dev keys (the public dev mnemonic's accounts).
HARDHAT_ADDRESSES = (
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
)


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
            "--empty-block-period",
            "1",
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


def _send_value(rpc_url: str, key: str, to: str) -> dict[str, object]:
    """A plain value transfer signed with ``key``; returns its receipt."""
    client = RpcClient(rpc_url)
    try:
        account = local_account(key)
        raw = client.sign(account, 1337, to=to, value=10**18, gas=21_000, fee=0)
        return client.wait_receipt(client.send(raw))
    finally:
        client.close()


def test_up_offers_dev_accounts_apart_from_the_notary_key(tmp_path: Path) -> None:
    """Regression (issue 13 item 16): ``govchain up`` offered only the notary's own key,
    so a wallet using it collided with the notary's nonces; an idle chain sent no
    newHeads for minutes."""
    ports = _ports(3)
    url = f"http://127.0.0.1:{ports[0]}"
    rpc_url = f"http://127.0.0.1:{ports[1]}"
    process = _start(tmp_path, ports)
    try:
        heads = _idle_heads(f"ws://127.0.0.1:{ports[2]}", count=2, timeout=10)
        api_key = (tmp_path / "dev-api-key").read_text().strip()
        notary_key = json.loads((tmp_path / "issuer-keystore.json").read_text())["address"]
        # The notary anchors while a user sends from dev account 0, back to back.
        for index in range(3):
            receipt = _send_value(rpc_url, HARDHAT_KEYS[0], HARDHAT_ADDRESSES[1])
            assert receipt["status"] == "0x1"
            submitted = httpx.post(
                f"{url}/v1/digests",
                params={"wait": 20},
                json={"kind": "certificate", "digest": "sha256:" + f"{index:064x}"},
                headers={"Authorization": f"Bearer {api_key}"},
                timeout=30,
            )
            assert submitted.status_code == 200, submitted.text
    finally:
        output = _interrupt(process)
    assert len(heads) == 2
    assert int(heads[1]["number"], 16) > int(heads[0]["number"], 16)
    assert "an empty one every 1 s when idle" in output
    assert "10 funded accounts" in output
    for index, address in enumerate(HARDHAT_ADDRESSES):
        assert f"({index}) {address}  key {HARDHAT_KEYS[index]}" in output
    assert notary_key.lower() not in output.lower()


def _idle_heads(ws_url: str, count: int, timeout: float) -> list[dict[str, str]]:
    """``count`` newHeads of the idle chain (nothing is sent meanwhile)."""
    heads: list[dict[str, str]] = []
    with connect(ws_url) as ws:
        ws.send(
            json.dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
            )
        )
        assert "result" in json.loads(ws.recv(timeout=timeout))
        while len(heads) < count:
            heads.append(json.loads(ws.recv(timeout=timeout))["params"]["result"])
    return heads
