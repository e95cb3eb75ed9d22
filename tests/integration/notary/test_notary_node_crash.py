"""Crash test with real processes: ``kill -9`` the chain node under load, repeatedly.

The notary keeps accepting (acceptance is a database commit), its anchoring worker
fails, retries and reconciles; after the node is back every acknowledged digest
has exactly one receipt, anchored on the real chain, whose verification passes.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govchain_core.receipt_codec import receipt_from_object
from govchain_core.verify import verify_receipt
from govchain_node.keys import load_dev_accounts
from govchain_notary.anchorers.verify_reader import AnchorerReader
from govchain_notary.anchorers.web3 import Web3Chain
from govchain_notary.auth import new_client
from govchain_notary.devchain import deploy_dev_registries, write_keystore
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore
from tests.integration.notary.test_notary_crash import (
    Load,
    ManagedProcess,
    NotaryProcess,
    _check_exactly_once,
    _wait_until_anchored,
)
from tests.support.ports import free_port

PASSWORD = "dev-password"


class NodeProcess(ManagedProcess):
    stop_timeout = 30

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.ws_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.data_dir.parent / "node.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "govchain_client.cli",
                "node",
                "run",
                "--dev",
                "--data-dir",
                str(self.data_dir),
                "--rpc-port",
                str(self.port),
                "--ws-port",
                str(self.ws_port),
                "--block-period",
                "0.2",
                "--log-level",
                "WARNING",
            ],
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
        while time.monotonic() < deadline:
            try:
                if httpx.post(self.url, json=body, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("node did not start")


@pytest.fixture
def system(tmp_path: Path) -> Iterator[tuple[NodeProcess, NotaryProcess, str, Web3Chain]]:
    node = NodeProcess(tmp_path / "node")
    node.start()
    key = load_dev_accounts(node.data_dir)[0].private_key
    issuer = write_keystore(tmp_path / "issuer.json", key, PASSWORD)
    registries = deploy_dev_registries(node.url, key, issuer)
    engine = make_engine(f"sqlite:///{tmp_path / 'notary.db'}")
    migrate(engine)
    store = SqlStore(engine)
    _, api_key = new_client(store, "load", issuer, ["submit:*"], 100_000)
    store.close()
    notary = NotaryProcess(tmp_path)
    notary.env.update(
        {
            "GOVCHAIN_NOTARY_CHAIN": "web3",
            "GOVCHAIN_NOTARY_RPC_URL": node.url,
            "GOVCHAIN_NOTARY_ANCHOR_REGISTRY": registries.anchor,
            "GOVCHAIN_NOTARY_STATUS_REGISTRY": registries.status,
            "GOVCHAIN_NOTARY_ISSUER_REGISTRY": registries.issuer,
            "GOVCHAIN_NOTARY_ISSUERS": json.dumps(
                [{"address": issuer, "keystore": str(tmp_path / "issuer.json")}]
            ),
            "GOVCHAIN_NOTARY_KEYSTORE_PASSWORD": PASSWORD,
            "GOVCHAIN_NOTARY_CHAIN_TIMEOUT": "3",
            "GOVCHAIN_NOTARY_BLOCK_PERIOD": "0.3",
        }
    )
    reader = Web3Chain(node.url, registries.anchor, registries.status, registries.issuer, [])
    yield node, notary, api_key, reader
    notary.stop()
    node.stop()


def test_kill_9_node_under_load(system: tuple[NodeProcess, NotaryProcess, str, Web3Chain]) -> None:
    node, notary, api_key, reader = system
    notary.start()
    load = Load(notary.url, api_key)
    load.start()
    for _ in range(2):
        time.sleep(random.uniform(0.5, 1.5))
        node.kill()
        time.sleep(random.uniform(0.2, 1.0))  # the notary accepts while the node is down
        node.start()
    time.sleep(0.5)
    load.stop()
    assert len(load.acknowledged) > 100
    _wait_until_anchored(notary.url, load)
    positions = _check_exactly_once_after_stop(notary, load)
    notary.start()
    sample = random.sample(list(load.acknowledged), min(100, len(load.acknowledged)))
    with httpx.Client(base_url=notary.url, timeout=10) as client:
        for receipt_id in sample:
            view = client.get(f"/v1/receipts/{receipt_id}").json()
            receipt = receipt_from_object(view["receipt"])
            assert receipt.proof.index == positions[receipt_id]
            report = verify_receipt(receipt, AnchorerReader(reader, None))
            assert report.ok, report.failed_step


def _check_exactly_once_after_stop(notary: NotaryProcess, load: Load) -> dict[str, int]:
    notary.stop()
    return _check_exactly_once(notary.data_dir, load)
