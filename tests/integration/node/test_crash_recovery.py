"""Crash tests: ``kill -9`` the node process while it produces blocks, restart, verify.

After every restart the chain must be intact (every block links to its parent, every
indexed transaction has its receipt), its head at or above every block a client saw
mined, and every transaction a client saw mined still there in the same block.
The default run does 3 rounds (about 15 s); ``GOVCHAIN_LONG=1`` does 25.
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import httpx
from eth_hash.auto import keccak

from govchain_node.keys import load_dev_accounts
from tests.support.node_contracts import anchor_call, anchor_like
from tests.support.node_process import NodeProcess, start_node_process
from tests.support.node_rpc import RpcClient, RpcFailureError, local_account

CHAIN_ID = 1337


class Load:
    """Sends anchor transactions until stopped; remembers what it saw mined."""

    def __init__(self, rpc: RpcClient, key: bytes, contract: str | None) -> None:
        self.rpc = rpc
        self.account = local_account(key)
        self.contract = contract
        self.mined: dict[str, str] = {}  # tx hash -> block hash, as seen by the client
        self.stop = threading.Event()

    def run(self) -> None:
        pending: list[str] = []
        try:
            nonce = int(
                self.rpc.call("eth_getTransactionCount", self.account.address, "pending"), 16
            )
            while not self.stop.is_set():
                for _ in range(20):
                    data = anchor_call(keccak(os.urandom(32)), keccak(b"crash"))
                    raw = self.rpc.sign(
                        self.account,
                        CHAIN_ID,
                        to=self.contract,
                        data=data,
                        nonce=nonce,
                        gas=120_000,
                        fee=0,
                    )
                    pending.append(self.rpc.send(raw))
                    nonce += 1
                still = []
                for tx_hash in pending:
                    receipt = self.rpc.call("eth_getTransactionReceipt", tx_hash)
                    if receipt is None:
                        still.append(tx_hash)
                    else:
                        self.mined[tx_hash] = receipt["blockHash"]
                pending = still
        except (httpx.HTTPError, RpcFailureError, OSError):
            return  # the node was killed


def check_chain(rpc: RpcClient, mined: dict[str, str], seen_head: int) -> int:
    head = int(rpc.call("eth_blockNumber"), 16)
    assert head >= seen_head, f"head {head} went back below a block seen mined ({seen_head})"
    parent = rpc.call("eth_getBlockByNumber", "0x0", False)
    for number in range(1, head + 1):
        block = rpc.call("eth_getBlockByNumber", hex(number), False)
        assert block is not None, number
        assert block["parentHash"] == parent["hash"], number
        for tx_hash in block["transactions"]:
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
            assert receipt is not None
            assert receipt["blockHash"] == block["hash"]
        parent = block
    for tx_hash, block_hash in mined.items():
        receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
        assert receipt is not None, f"mined transaction {tx_hash} lost"
        assert receipt["blockHash"] == block_hash
    return head


def crash_rounds(data_dir: Path, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    node: NodeProcess = start_node_process(data_dir, "--block-period", "0.05")
    key = load_dev_accounts(data_dir)[0].private_key
    rpc = RpcClient(node.rpc_url, timeout=5)
    deploy = rpc.sign(
        local_account(key), CHAIN_ID, to=None, data=anchor_like().bytecode, gas=1_000_000, fee=0
    )
    contract = str(rpc.wait_receipt(rpc.send(deploy))["contractAddress"])
    mined: dict[str, str] = {}
    seen_head = 0
    try:
        for _ in range(rounds):
            load = Load(rpc, key, contract)
            thread = threading.Thread(target=load.run, daemon=True)
            thread.start()
            time.sleep(rng.uniform(0.4, 1.5))
            node.kill()
            thread.join(timeout=30)
            rpc.close()
            mined.update(load.mined)
            node = start_node_process(data_dir, "--block-period", "0.05")
            rpc = RpcClient(node.rpc_url, timeout=30)
            seen_head = max(
                [seen_head]
                + [
                    int(rpc.call("eth_getTransactionReceipt", h)["blockNumber"], 16)
                    for h in load.mined
                ]
            )
            check_chain(rpc, mined, seen_head)
        # The restarted node still accepts and mines transactions.
        raw = rpc.sign(
            local_account(key),
            CHAIN_ID,
            to=contract,
            data=anchor_call(keccak(b"after"), keccak(b"crash")),
            gas=120_000,
            fee=0,
        )
        assert rpc.wait_receipt(rpc.send(raw))["status"] == "0x1"
    finally:
        rpc.close()
        node.terminate()
    assert mined, "the load generator never saw a mined transaction"


LONG = bool(os.environ.get("GOVCHAIN_LONG"))


def test_kill_during_block_production(tmp_path: Path) -> None:
    crash_rounds(tmp_path / "node", rounds=25 if LONG else 3, seed=1)
