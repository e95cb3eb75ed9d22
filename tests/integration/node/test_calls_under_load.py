"""Regression (issue 13 item 9): eth_call ran on the node's event loop, so a few
anonymous calls that loop until out of gas stalled every client (eth_blockNumber took
seconds) and pushed the notary's submit -> anchored time from 1 s to 12 s.

A real node process serves four clients that send such calls back to back (30M gas,
1-2 s of CPU each) while a notary anchors through web3.py on the same node and a
probe asks eth_blockNumber every 20 ms and another a cheap eth_call every 50 ms.
Before the fix the eth_blockNumber probe's p99 was 6 s and nothing was anchored
within 60 s; with calls on two plain worker threads, cheap calls took 5 s."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from govchain_node.keys import load_dev_accounts
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.devchain import deploy_dev_registries, write_keystore
from govchain_notary.settings import IssuerSettings, Settings, load_settings
from tests.support.node_process import NodeProcess, start_node_process

LOOP_CALL = {"data": "0x5b600056", "gas": hex(30_000_000)}
#: Init code returning the gas left (GAS PUSH1 0 MSTORE, return 32 bytes): a cheap call.
CHEAP_CALL = {"data": "0x5a60005260206000f3", "gas": hex(100_000)}
BLOCK_NUMBER = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}
CHEAP = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [CHEAP_CALL]}
CALLERS = 4
DIGESTS = 8
PASSWORD = "dev-password"


def notary_settings(node: NodeProcess, data_dir: Path, root: Path) -> Settings:
    key = load_dev_accounts(data_dir)[0].private_key
    keystore = root / "issuer.json"
    issuer = write_keystore(keystore, key, PASSWORD)
    registries = deploy_dev_registries(node.rpc_url, key, issuer)
    return load_settings(
        chain="web3",
        rpc_url=node.rpc_url,
        chain_id=1337,
        anchor_registry=registries.anchor,
        status_registry=registries.status,
        issuer_registry=registries.issuer,
        issuers=[IssuerSettings(address=issuer, keystore=keystore)],
        keystore_password=PASSWORD,
        data_dir=root / "notary",
        block_period=1.0,
    )


class Load:
    """Expensive eth_calls from ``CALLERS`` clients, probes of eth_blockNumber (every
    20 ms) and of a cheap eth_call (every 50 ms)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.latencies: dict[str, list[float]] = {"blockNumber": [], "cheap call": []}
        self.answers: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.threads = [threading.Thread(target=self._call) for _ in range(CALLERS)]
        self.threads.append(threading.Thread(target=self._probe, args=(BLOCK_NUMBER, 0.02)))
        self.threads.append(threading.Thread(target=self._probe, args=(CHEAP, 0.05)))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _call(self) -> None:
        payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [LOOP_CALL]}
        with httpx.Client(timeout=120) as http:
            while not self.stop.is_set():
                self.answers.append(http.post(self.url, json=payload).json())

    def _probe(self, payload: dict[str, Any], every: float) -> None:
        name = "cheap call" if payload is CHEAP else "blockNumber"
        with httpx.Client(timeout=120) as http:
            while not self.stop.wait(every):
                started = time.perf_counter()
                answer = http.post(self.url, json=payload).json()
                self.latencies[name].append(time.perf_counter() - started)
                if "result" not in answer:
                    self.failures.append(answer)

    def percentile(self, name: str, fraction: float) -> float:
        ordered = sorted(self.latencies[name])
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def test_expensive_calls_leave_reads_and_anchoring_served(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node")
    try:
        settings = notary_settings(node, tmp_path / "node", tmp_path)
        app = create_app(settings)
        with TestClient(app) as http:
            service = app.state.service
            _, key = new_client(service.store, "load", service.issuers[0], ["submit:*"], 1000)
            headers = {"Authorization": f"Bearer {key}"}
            anchored_after: list[float] = []
            blocks: list[int] = []
            with Load(node.rpc_url) as load:
                for index in range(DIGESTS):
                    started = time.monotonic()
                    submitted = http.post(
                        "/v1/digests",
                        json={"kind": "certificate", "digest": "sha256:" + f"{index:064x}"},
                        headers=headers,
                        params={"wait": 60},
                    )
                    assert submitted.status_code == 200, submitted.text
                    anchored_after.append(time.monotonic() - started)
                    receipt_id = submitted.json()["receipts"][0]["id"]
                    view = http.get(f"/v1/receipts/{receipt_id}").json()
                    blocks.append(int(view["receipt"]["anchor"]["block_number"]))
    finally:
        node.terminate()
    for name, samples in load.latencies.items():
        p50, p99 = load.percentile(name, 0.5), load.percentile(name, 0.99)
        print(f"{name}: n={len(samples)} p50 {p50 * 1000:.1f} ms p99 {p99 * 1000:.1f} ms")
    calls = len(load.answers)
    print(f"submit->anchored {[round(t, 2) for t in anchored_after]} s; {calls} eth_calls")
    assert not load.failures
    assert len(load.latencies["blockNumber"]) > 100
    assert load.percentile("blockNumber", 0.99) < 0.1
    # A cheap call never waits behind a 30M-gas one (fast lane): p99 was 79 ms.
    assert load.percentile("cheap call", 0.99) < 0.5
    # Each digest waits at most one notary period (1 s) and one block (1 s) to be
    # anchored; before the fix it took up to 12 s.
    assert max(anchored_after) < 4.0
    assert len(set(blocks)) == DIGESTS  # one anchor per submission, each in its block
    for answer in load.answers:  # expensive calls end in a JSON-RPC error, never a hang
        assert answer["error"]["code"] in (-32000, -32005), answer
