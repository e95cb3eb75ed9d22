"""Node benchmark: anchor transactions/s, eth_call/s and eth_getLogs over 10,000 events,
for the govchain node and the Hardhat node in the same run, with the ratio.

    python benchmarks/node_throughput.py [--txs 10000] [--calls 5000] [--concurrency 32]
        [--block-period 1.0] [--second-block-period 0]

Both nodes run as separate processes and get the same load generator (this process):
it pre-signs all transactions, then submits them through JSON-RPC from ``--senders``
accounts (one request in flight per account, as Hardhat's automine needs nonces in
order) and waits until every one is mined; ``--concurrency`` eth_calls are kept in
flight.

Hardhat automines one block per transaction. The govchain node runs with
``--block-period`` (a block per period while transactions are pending; the row the
README quotes) and, unless ``--second-block-period`` is ``none``, a second node with
that period: ``0`` seals as soon as transactions are pending, the closest to automine.
A block takes anchors while at least ``ANCHOR_GAS`` (each one's gas limit) is left, so
it holds about ``block gas limit / gas used per anchor`` of them, which caps the first
row at that many per period. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import os
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
from tests.support.hardhat_node import hardhat_keys, start_hardhat
from tests.support.node_contracts import CompiledContract, anchor_like, project_artifact
from tests.support.node_process import start_node_process

ANCHORED = "0x" + keccak(b"Anchored(bytes32,bytes32,address)").hex()
#: Gas limit of every anchor transaction (what a block must have left to include one).
ANCHOR_GAS = 120_000


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


@dataclasses.dataclass
class Deployment:
    """The contract on one node and the figures of its transaction phase."""

    name: str
    url: str
    pid: int
    address: str = ""
    first_block: int = 0
    last_block: int = 0
    figures: dict[str, float] = dataclasses.field(default_factory=dict)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def transaction_phase(
    node: Deployment, keys: list[str], contract: CompiledContract, txs: int
) -> None:
    """Deploy, then ``txs`` anchor transactions from ``len(keys)`` senders, each sender
    with one request in flight (Hardhat's automine refuses out-of-order nonces)."""
    accounts = [Account.from_key(key) for key in keys]
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=len(keys) + 4)
    ) as session:
        rpc = Rpc(session, node.url)
        chain_id = int(await rpc.call("eth_chainId"), 16)
        fee = int(await rpc.call("eth_gasPrice"), 16) * 3
        nonces = [
            int(await rpc.call("eth_getTransactionCount", a.address, "pending"), 16)
            for a in accounts
        ]
        deploy = sign(accounts[0], chain_id, nonces[0], None, contract.bytecode, 3_000_000, fee)
        receipt = await wait_mined(rpc, await rpc.call("eth_sendRawTransaction", deploy))
        nonces[0] += 1
        node.address = to_checksum_address(receipt["contractAddress"])
        node.first_block = int(receipt["blockNumber"], 16) + 1
    # Sign outside any HTTP session: Node's HTTP server closes idle keep-alive
    # connections after 5 s, and signing 10,000 transactions takes longer.
    print(f"[{node.name}] signing {txs} anchor transactions …", flush=True)
    per_sender: list[list[str]] = [[] for _ in accounts]
    for i in range(txs):
        s = i % len(accounts)
        raw = sign(accounts[s], chain_id, nonces[s], node.address, anchor_data(i), ANCHOR_GAS, fee)
        per_sender[s].append(raw)
        nonces[s] += 1
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=len(keys) + 4)
    ) as session:
        rpc = Rpc(session, node.url)
        hashes: list[str] = []

        async def sender(raws: list[str]) -> None:
            for raw in raws:
                hashes.append(await rpc.call("eth_sendRawTransaction", raw))

        cpu = cpu_seconds(node.pid)
        start = time.perf_counter()
        await asyncio.gather(*(sender(raws) for raws in per_sender))
        submitted = time.perf_counter()
        last_block = 0
        for tx_hash in hashes[-len(accounts) :] + hashes[:: max(1, len(hashes) // 50)]:
            mined = await wait_mined(rpc, tx_hash)
            assert mined["status"] == "0x1", mined
            node.figures["anchor_gas_used"] = int(mined["gasUsed"], 16)
            last_block = max(last_block, int(mined["blockNumber"], 16))
        end = time.perf_counter()
        node.last_block = last_block
        node.figures["blocks"] = node.last_block - node.first_block + 1
        node.figures["tx_per_s"] = txs / (end - start)
        node.figures["submit_per_s"] = txs / (submitted - start)
        node.figures["cpu_ms_per_tx"] = (cpu_seconds(node.pid) - cpu) / txs * 1000
        print(
            f"[{node.name}] {txs} txs mined in {end - start:.2f} s over "
            f"{node.figures['blocks']:.0f} blocks (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )


async def call_rate(
    node: Deployment, txs: int, calls: int, concurrency: int
) -> tuple[float, float]:
    """eth_call/s and the node's CPU ms per call (less sensitive to other load)."""
    roots = bytes(function_signature_to_4byte_selector("roots(bytes32)"))
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency + 4)
    ) as session:
        rpc = Rpc(session, node.url)

        async def one_call(index: int) -> None:
            # A different anchored key per call, as verifications of different documents.
            key = keccak(b"bench:" + (index % txs).to_bytes(8, "big"))
            result = await rpc.call(
                "eth_call", {"to": node.address, "data": "0x" + (roots + key).hex()}, "latest"
            )
            assert result == "0x" + keccak(key).hex(), result

        cpu = cpu_seconds(node.pid)
        start = time.perf_counter()
        await run_concurrently(
            [functools.partial(one_call, index) for index in range(calls)], concurrency
        )
        elapsed = time.perf_counter() - start
        return calls / elapsed, (cpu_seconds(node.pid) - cpu) / calls * 1000


async def logs_time(node: Deployment) -> tuple[float, int]:
    query = {
        "fromBlock": hex(node.first_block),
        "toBlock": hex(node.last_block),
        "address": node.address,
        "topics": [ANCHORED],
    }
    async with aiohttp.ClientSession() as session:
        rpc = Rpc(session, node.url)
        start = time.perf_counter()
        logs = await rpc.call("eth_getLogs", query)
        return time.perf_counter() - start, len(logs)


def start_govchain(scratch: Path, name: str, args: argparse.Namespace, period: str) -> Any:
    return start_node_process(
        scratch / name,
        "--block-period",
        period,
        "--block-gas-limit",
        args.block_gas_limit,
        "--empty-block-period",
        "600",
        "--dev-accounts",
        str(args.senders),
    )


def govchain_keys(data_dir: Path) -> list[str]:
    return ["0x" + a.private_key.hex() for a in load_dev_accounts(data_dir)]


def second_configuration(
    scratch: Path, args: argparse.Namespace, contract: CompiledContract
) -> dict[str, float]:
    """The transaction phase on a node with ``--second-block-period`` (own process)."""
    process = start_govchain(scratch, "govchain-2", args, args.second_block_period)
    try:
        name = f"govchain, period {args.second_block_period} s"
        node = Deployment(name, process.rpc_url, process.process.pid)
        keys = govchain_keys(scratch / "govchain-2")
        asyncio.run(transaction_phase(node, keys, contract, args.txs))
    finally:
        process.terminate()
    return node.figures


def query_rounds(ours: Deployment, theirs: Deployment, args: argparse.Namespace) -> None:
    """Calls and log queries alternate between the nodes (A B B A …) so that load from
    other processes on the machine affects both alike; the best round counts."""
    for round_index in range(args.rounds):
        order = (ours, theirs) if round_index % 2 == 0 else (theirs, ours)
        for node in order:
            rate, cpu_ms = asyncio.run(call_rate(node, args.txs, args.calls, args.concurrency))
            node.figures["call_per_s"] = max(node.figures.get("call_per_s", 0), rate)
            best_cpu = node.figures.get("cpu_ms_per_call", float("inf"))
            node.figures["cpu_ms_per_call"] = min(best_cpu, cpu_ms)
            for _ in range(3):
                seconds, count = asyncio.run(logs_time(node))
                best = node.figures.get("getlogs_s", float("inf"))
                node.figures["getlogs_s"] = min(best, seconds)
                node.figures["getlogs_events"] = count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--txs", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=32, help="eth_call in flight")
    parser.add_argument("--senders", type=int, default=16, help="accounts sending anchors")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved call/log rounds")
    parser.add_argument("--block-period", default="1.0")
    parser.add_argument(
        "--second-block-period",
        default="0",
        help="period of a second govchain node for the anchor rows ('none' to skip)",
    )
    parser.add_argument("--block-gas-limit", default="60000000")
    args = parser.parse_args()
    contract = project_artifact("AnchorRegistry")
    label = "AnchorRegistry artifact"
    if contract is None or "anchor(bytes32,bytes32)" not in str(contract.abi):
        contract, label = anchor_like(), "AnchorLike test contract (bytes32 per key + event)"
    print(f"contract: {label}")
    second: dict[str, float] | None = None
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        process = start_govchain(scratch, "govchain", args, args.block_period)
        hardhat = start_hardhat(scratch / "hardhat")
        try:
            ours = Deployment("govchain", process.rpc_url, process.process.pid)
            theirs = Deployment("hardhat", hardhat.rpc_url, hardhat.process.pid)
            keys = govchain_keys(scratch / "govchain")
            asyncio.run(transaction_phase(ours, keys, contract, args.txs))
            asyncio.run(transaction_phase(theirs, hardhat_keys(args.senders), contract, args.txs))
            query_rounds(ours, theirs, args)
        finally:
            process.terminate()
        try:
            if args.second_block_period != "none":
                second = second_configuration(scratch, args, contract)
        finally:
            hardhat.stop()
    report(args, ours.figures, theirs.figures, second)


def _row(title: str, ours: float, theirs: float, lower_is_better: bool) -> None:
    ratio = theirs / ours if lower_is_better else ours / theirs
    print(f"{title:<44}{ours:>12.3f}{theirs:>12.3f}{ratio:>7.2f}x")


def report(
    args: argparse.Namespace,
    ours: dict[str, float],
    theirs: dict[str, float],
    second: dict[str, float] | None,
) -> None:
    used = int(ours["anchor_gas_used"])
    per_block = (int(args.block_gas_limit) - ANCHOR_GAS) // used + 1
    print()
    print(
        f"govchain node: block period {args.block_period} s, "
        f"block gas limit {args.block_gas_limit}: at most {per_block} anchors per block "
        f"(each uses {used} gas and needs {ANCHOR_GAS} left to be included); "
        f"Hardhat: automine, one block per transaction; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'figure':<44}{'govchain':>12}{'hardhat':>12}{'ratio':>8}")
    rows = [
        ("anchor tx/s (submitted + mined)", "tx_per_s", False),
        ("  submission only, tx/s", "submit_per_s", False),
        ("  node CPU ms per mined tx", "cpu_ms_per_tx", True),
        ("eth_call/s", "call_per_s", False),
        ("  node CPU ms per eth_call", "cpu_ms_per_call", True),
        ("eth_getLogs, s per query", "getlogs_s", True),
    ]
    for title, key, lower_is_better in rows:
        _row(title, ours[key], theirs[key], lower_is_better)
    print(
        f"{'eth_getLogs events returned':<44}{ours['getlogs_events']:>12.0f}"
        f"{theirs['getlogs_events']:>12.0f}"
    )
    print(f"{'blocks for the anchors':<44}{ours['blocks']:>12.0f}{theirs['blocks']:>12.0f}")
    if second is not None:
        period = args.second_block_period
        print(f"second govchain node: block period {period} s, same gas limit and load")
        _row(
            f"anchor tx/s, period {period} s (submitted + mined)",
            second["tx_per_s"],
            theirs["tx_per_s"],
            False,
        )
        _row(
            f"  period {period} s: submission only, tx/s",
            second["submit_per_s"],
            theirs["submit_per_s"],
            False,
        )
        _row(
            f"  period {period} s: node CPU ms per mined tx",
            second["cpu_ms_per_tx"],
            theirs["cpu_ms_per_tx"],
            True,
        )
        blocks = f"  period {period} s: blocks for the anchors"
        print(f"{blocks:<44}{second['blocks']:>12.0f}{theirs['blocks']:>12.0f}")
    print("ratio: govchain relative to hardhat, > 1 means govchain is better")


if __name__ == "__main__":
    main()
