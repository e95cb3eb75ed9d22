"""Node benchmark: anchor transactions/s, eth_call/s and eth_getLogs over 10,000 events,
for the govchain node and the Hardhat node in the same run, with the ratio.

    python benchmarks/node_throughput.py [--txs 10000] [--calls 5000] [--concurrency 32]

Both nodes run as separate processes; the load generator (this process) pre-signs all
transactions, then submits them through JSON-RPC with ``--concurrency`` requests in
flight and waits until every one is mined. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govchain_node.keys import load_dev_accounts
from tests.support.hardhat_node import HARDHAT_KEYS, start_hardhat
from tests.support.node_contracts import CompiledContract, anchor_like, project_artifact
from tests.support.node_process import start_node_process

ANCHORED = "0x" + keccak(b"Anchored(bytes32,bytes32,address)").hex()


class Rpc:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.ids = 0

    async def call(self, method: str, *params: Any) -> Any:
        self.ids += 1
        payload = {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": list(params)}
        async with self.session.post(self.url, json=payload) as response:
            body = await response.json(content_type=None)
        if "error" in body:
            raise RuntimeError(f"{method}: {body['error']}")
        return body["result"]


async def run_concurrently(jobs: list[Callable[[], Awaitable[Any]]], concurrency: int) -> None:
    queue = list(reversed(jobs))

    async def worker() -> None:
        while queue:
            await queue.pop()()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def wait_mined(rpc: Rpc, tx_hash: str, timeout: float = 600.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipt = await rpc.call("eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            return dict(receipt)
        await asyncio.sleep(0.05)
    raise TimeoutError(tx_hash)


def sign(
    account: LocalAccount,
    chain_id: int,
    nonce: int,
    to: str | None,
    data: bytes,
    gas: int,
    fee: int,
) -> str:
    tx: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": nonce,
        "gas": gas,
        "value": 0,
        "data": data,
        "maxFeePerGas": fee,
        "maxPriorityFeePerGas": min(fee, 1),
        "type": 2,
    }
    if to is not None:
        tx["to"] = to
    return "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()


def anchor_data(index: int) -> bytes:
    key = keccak(b"bench:" + index.to_bytes(8, "big"))
    selector = bytes(function_signature_to_4byte_selector("anchor(bytes32,bytes32)"))
    return selector + abi_encode(["bytes32", "bytes32"], [key, keccak(key)])


async def measure(
    name: str,
    url: str,
    key: str,
    contract: CompiledContract,
    txs: int,
    calls: int,
    concurrency: int,
) -> dict[str, float]:
    results: dict[str, float] = {}
    account = Account.from_key(key)
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(connector=connector) as session:
        rpc = Rpc(session, url)
        chain_id = int(await rpc.call("eth_chainId"), 16)
        fee = int(await rpc.call("eth_gasPrice"), 16) * 3
        nonce = int(await rpc.call("eth_getTransactionCount", account.address, "pending"), 16)
        deploy = sign(account, chain_id, nonce, None, contract.bytecode, 3_000_000, fee)
        receipt = await wait_mined(rpc, await rpc.call("eth_sendRawTransaction", deploy))
        address = to_checksum_address(receipt["contractAddress"])
        first_block = int(receipt["blockNumber"], 16) + 1

        print(f"[{name}] signing {txs} anchor transactions …", flush=True)
        raws = [
            sign(account, chain_id, nonce + 1 + i, address, anchor_data(i), 120_000, fee)
            for i in range(txs)
        ]
        hashes: list[str] = []

        async def send(raw: str) -> None:
            hashes.append(await rpc.call("eth_sendRawTransaction", raw))

        start = time.perf_counter()
        await run_concurrently([functools.partial(send, raw) for raw in raws], concurrency)
        submitted = time.perf_counter()
        last = await wait_mined(rpc, hashes[-1])
        for tx_hash in hashes[:: max(1, len(hashes) // 50)]:
            mined = await wait_mined(rpc, tx_hash)
            assert mined["status"] == "0x1", mined
        end = time.perf_counter()
        last_block = int(last["blockNumber"], 16)
        results["tx_per_s"] = txs / (end - start)
        results["submit_per_s"] = txs / (submitted - start)
        print(
            f"[{name}] {txs} txs mined in {end - start:.2f} s over "
            f"{last_block - first_block + 1} blocks",
            flush=True,
        )

        roots = bytes(function_signature_to_4byte_selector("roots(bytes32)"))

        async def one_call(index: int) -> None:
            # A different anchored key per call, as verifications of different documents.
            key = keccak(b"bench:" + (index % txs).to_bytes(8, "big"))
            result = await rpc.call(
                "eth_call", {"to": address, "data": "0x" + (roots + key).hex()}, "latest"
            )
            assert result == "0x" + keccak(key).hex(), result

        start = time.perf_counter()
        await run_concurrently(
            [functools.partial(one_call, index) for index in range(calls)], concurrency
        )
        results["call_per_s"] = calls / (time.perf_counter() - start)

        query = {
            "fromBlock": hex(first_block),
            "toBlock": hex(last_block),
            "address": address,
            "topics": [ANCHORED],
        }
        timings = []
        count = 0
        for _ in range(5):
            start = time.perf_counter()
            logs = await rpc.call("eth_getLogs", query)
            timings.append(time.perf_counter() - start)
            count = len(logs)
        results["getlogs_s"] = statistics.median(timings)
        results["getlogs_events"] = count
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--txs", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--block-period", default="1.0")
    parser.add_argument("--block-gas-limit", default="60000000")
    args = parser.parse_args()
    contract = project_artifact("AnchorRegistry")
    label = "AnchorRegistry artifact"
    if contract is None or "anchor(bytes32,bytes32)" not in str(contract.abi):
        contract, label = anchor_like(), "AnchorLike test contract (bytes32 per key + event)"
    print(f"contract: {label}")
    with tempfile.TemporaryDirectory() as scratch:
        node = start_node_process(
            Path(scratch) / "govchain",
            "--block-period",
            args.block_period,
            "--block-gas-limit",
            args.block_gas_limit,
            "--empty-block-period",
            "600",
        )
        hardhat = start_hardhat(Path(scratch) / "hardhat")
        try:
            dev_key = "0x" + load_dev_accounts(Path(scratch) / "govchain")[0].private_key.hex()
            ours = asyncio.run(
                measure(
                    "govchain",
                    node.rpc_url,
                    dev_key,
                    contract,
                    args.txs,
                    args.calls,
                    args.concurrency,
                )
            )
            theirs = asyncio.run(
                measure(
                    "hardhat",
                    hardhat.rpc_url,
                    HARDHAT_KEYS[0],
                    contract,
                    args.txs,
                    args.calls,
                    args.concurrency,
                )
            )
        finally:
            node.terminate()
            hardhat.stop()
    print()
    print(
        f"govchain node: block period {args.block_period} s, "
        f"block gas limit {args.block_gas_limit}; Hardhat: automine"
    )
    print(f"{'figure':<34}{'govchain':>12}{'hardhat':>12}{'ratio':>8}")
    rows = [
        ("anchor tx/s (submitted + mined)", "tx_per_s", False),
        ("  of which submission only, tx/s", "submit_per_s", False),
        ("eth_call/s", "call_per_s", False),
        ("eth_getLogs, s per query", "getlogs_s", True),
    ]
    for title, key, lower_is_better in rows:
        ratio = theirs[key] / ours[key] if lower_is_better else ours[key] / theirs[key]
        print(f"{title:<34}{ours[key]:>12.3f}{theirs[key]:>12.3f}{ratio:>7.2f}x")
    print(
        f"{'eth_getLogs events returned':<34}{ours['getlogs_events']:>12.0f}"
        f"{theirs['getlogs_events']:>12.0f}"
    )
    print("ratio = govchain / hardhat (for getLogs: hardhat time / govchain time); >= 1 is better")


if __name__ == "__main__":
    main()
