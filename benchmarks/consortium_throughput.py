"""Consortium benchmark: anchor transactions/s and finality latency of a 4-validator QBFT
consortium with 1 s blocks, healthy and with one validator killed.

    python -m benchmarks.consortium_throughput [--seconds 20] [--senders 8] [--window 8]

The consortium is made by ``govchain consortium init`` and every node runs as its own
process with the command ``govchain consortium up`` runs for it
(``python -m govchain_node run --config node-<i>/node.toml``). The nodes are started one
by one rather than through ``up`` because ``up`` stops the whole consortium as soon as one
node exits, and the second phase kills one validator with SIGKILL.

Account 0 of the genesis allow-list deploys the registries (IssuerRegistry,
AnchorRegistry, StatusRegistry) as sole member and registers the other accounts as
issuers. Each of those senders keeps its own Merkle log and anchors one checkpoint per
transaction (``anchor(size, root, prevSize, consistencyProof)``, 1,000 leaves per
checkpoint) on the node it is assigned to, round robin over the running nodes, closed
loop: each sender keeps at most ``--window`` transactions sent and not yet mined, so the
load follows what the consortium can take instead of piling up an ever longer queue
(an open-loop load above capacity makes every later latency a queueing delay).
``--contract anchor-like`` sends the node benchmark's AnchorLike ``anchor(key, root)``
instead (no registration, about half the gas), for comparison with that benchmark.

Before the load, the chain is watched idle for a few seconds: a node honouring its
``empty_block_period`` (60 s unless node.toml sets it) makes no empty block in that time.

Finality latency of a transaction is the time from just before its
``eth_sendRawTransaction`` to the moment the node it was sent to first shows the block
that includes it (QBFT blocks are final when committed). Heights are polled every 50 ms,
so latencies are up to 50 ms late. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
from eth_abi.abi import encode as abi_encode
from eth_account import Account as EthAccount
from eth_account.signers.local import LocalAccount
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3

from benchmarks import machine
from benchmarks.node_throughput import Rpc, cpu_seconds, sign
from benchmarks.node_throughput import anchor_data as like_anchor_data
from benchmarks.percentiles import LatencySummary
from govchain_contracts import Role, load
from govchain_core.log import MerkleLog
from govchain_core.merkle import leaf_hash
from govchain_node.config import NodeConfig
from govchain_node.consensus.consortium import NODE_CONFIG_FILE, Consortium, NodeEntry
from govchain_node.keys import load_dev_accounts
from govchain_node.p2p.settings import read_node_toml
from govchain_notary.devchain import deploy_dev_registries, web3_for
from tests.support.node_contracts import anchor_like
from tests.support.node_process import NodeProcess
from tests.support.process_output import wait_for_announcement

ANCHOR = bytes(function_signature_to_4byte_selector("anchor(uint64,bytes32,uint64,bytes32[])"))
ANCHOR_GAS = 400_000
CONTRACTS = {
    "anchor-registry": "AnchorRegistry, anchor(size, root, prevSize, consistencyProof)",
    "anchor-like": "AnchorLike test contract of the node benchmark, anchor(key, root)",
}
LEAVES_PER_CHECKPOINT = 1_000
POLL_SECONDS = 0.05
DRAIN_TIMEOUT = 120.0
TARGET_TX_PER_S = 100.0
TARGET_P95_S = 2.0


# ------------------------------------------------------------------ consortium processes


def free_port_block(nodes: int, stride: int = 10) -> int:
    """A base port whose ``base + stride·i + {0, 1, 2}`` were all free a moment ago."""
    rng = random.Random()
    for _ in range(100):
        base = rng.randrange(20_000, 60_000 - stride * nodes, stride)
        ports = [base + stride * i + offset for i in range(nodes) for offset in (0, 1, 2)]
        if all(_port_free(port) for port in ports):
            return base
    raise RuntimeError("no block of free ports found")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def init_consortium(out: Path, validators: int, accounts: int, block_period: float) -> Consortium:
    """``govchain consortium init``, run as the command an operator types."""
    command = [sys.executable, "-m", "govchain_client.cli", "consortium", "init"]
    command += ["--validators", str(validators), "--accounts", str(accounts)]
    command += ["--block-period", str(block_period), "--out", str(out)]
    command += ["--base-port", str(free_port_block(validators))]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    return Consortium.load(out)


def node_command(consortium: Consortium, node: NodeEntry) -> list[str]:
    """What ``govchain consortium up`` runs for one node."""
    config = consortium.node_dir(node) / NODE_CONFIG_FILE
    return [sys.executable, "-m", "govchain_node", "run", "--config", str(config)]


def node_settings(consortium: Consortium) -> NodeConfig:
    """Node 0's settings as the node reads its ``node.toml`` (the ``[p2p]`` part aside)."""
    node_toml = read_node_toml(consortium.node_dir(consortium.nodes[0]) / NODE_CONFIG_FILE)
    return NodeConfig.load(None, node_toml.values)


def _announced_url(line: str) -> str | None:
    return line.split()[-1] if line.startswith("rpc listening on ") else None


def start_nodes(consortium: Consortium, timeout: float = 120.0) -> list[NodeProcess]:
    """Start every node at once (they load py-evm in parallel), then wait for each."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    processes = [
        subprocess.Popen(
            [
                *node_command(consortium, node),
                "--log-level",
                "WARNING",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for node in consortium.nodes
    ]
    started: list[NodeProcess] = []
    try:
        for node, process in zip(consortium.nodes, processes, strict=True):
            url, output = wait_for_announcement(process, _announced_url, timeout, node.name, 40)
            if url is None:
                raise RuntimeError(f"{node.name} exited before listening:\n" + "\n".join(output))
            started.append(NodeProcess(process, url, output))
    except BaseException:
        for process in processes:
            process.kill()
        raise
    return started


async def wait_for_height(urls: Sequence[str], height: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                heights = [int(await Rpc(session, u).call("eth_blockNumber"), 16) for u in urls]
                if min(heights) >= height:
                    return
            except (aiohttp.ClientError, RuntimeError):
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"the nodes did not all reach height {height} in {timeout:.0f} s")


# ------------------------------------------------------------------ registries and senders


def register_issuers(rpc_url: str, member_key: bytes, senders: Sequence[LocalAccount]) -> str:
    """Deploy the registries with ``member_key`` as sole member, register every sender as
    an issuer (a sole member's proposal executes at once); the AnchorRegistry address."""
    registries = deploy_dev_registries(rpc_url, member_key, senders[0].address)
    web3 = web3_for(rpc_url)
    member: LocalAccount = EthAccount.from_key(member_key)
    registry: Any = web3.eth.contract(
        address=Web3.to_checksum_address(registries.issuer), abi=list(load("IssuerRegistry").abi)
    )
    nonce = int(web3.eth.get_transaction_count(member.address, "pending"))
    roles = int(Role.CERTIFICATE | Role.REGISTER | Role.IOT | Role.DATASET)
    hashes = []
    for number, sender in enumerate(senders[1:], start=1):
        tx = registry.functions.proposeSetIssuer(
            sender.address, f"Benchmark issuer {number}", "05315000", roles, 0, 0
        ).build_transaction({"from": member.address, "nonce": nonce, "gasPrice": 0, "gas": 600_000})
        hashes.append(web3.eth.send_raw_transaction(member.sign_transaction(tx).raw_transaction))
        nonce += 1
    for tx_hash in hashes:
        if web3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)["status"] != 1:
            raise RuntimeError("registering a benchmark issuer failed")
    return str(Web3.to_checksum_address(registries.anchor))


def deploy_anchor_like(rpc_url: str, deployer: LocalAccount) -> str:
    """Deploy the node tests' AnchorLike contract (the node benchmark's); its address."""
    web3 = web3_for(rpc_url)
    nonce = int(web3.eth.get_transaction_count(deployer.address, "pending"))
    chain_id = int(web3.eth.chain_id)
    raw = sign(deployer, chain_id, nonce, None, anchor_like().bytecode, 3_000_000, 0)
    tx_hash = web3.eth.send_raw_transaction(bytes.fromhex(raw.removeprefix("0x")))
    address = web3.eth.wait_for_transaction_receipt(tx_hash, 120)["contractAddress"]
    if address is None:
        raise RuntimeError("deploying AnchorLike created no contract")
    return str(address)


def anchor_data(size: int, root: bytes, prev_size: int, proof: Sequence[bytes]) -> bytes:
    types = ["uint64", "bytes32", "uint64", "bytes32[]"]
    return ANCHOR + abi_encode(types, [size, root, prev_size, list(proof)])


@dataclasses.dataclass
class Sender:
    """One issuer account with its own Merkle log and next nonce."""

    account: LocalAccount
    number: int
    log: MerkleLog = dataclasses.field(default_factory=MerkleLog)
    nonce: int = 0
    leaves: int = 0

    def next_anchor(self, load: Load) -> str:
        """The next anchor transaction, signed: of the AnchorLike contract, or of the
        AnchorRegistry after appending a checkpoint's worth of leaves to the log."""
        if load.anchor_like:
            data = like_anchor_data((self.number << 32) + self.nonce)
        else:
            data = self._checkpoint()
        raw = sign(self.account, load.chain_id, self.nonce, load.contract, data, ANCHOR_GAS, 0)
        self.nonce += 1
        return raw

    def _checkpoint(self) -> bytes:
        prev = self.log.size
        first = self.leaves
        self.log.append_many(
            leaf_hash(self.account.address.encode() + n.to_bytes(8, "big"))
            for n in range(first, first + LEAVES_PER_CHECKPOINT)
        )
        self.leaves += LEAVES_PER_CHECKPOINT
        proof = self.log.consistency_proof(prev) if prev else []
        return anchor_data(self.log.size, self.log.root(), prev, proof)


# ------------------------------------------------------------------ one measured phase


@dataclasses.dataclass(frozen=True)
class Sent:
    """One transaction as the load generator sent it."""

    tx_hash: str
    node: int  # index into the phase's running nodes
    sent_at: float


@dataclasses.dataclass(frozen=True)
class PhaseFigures:
    """What one phase measured; latencies in seconds, one per transaction."""

    name: str
    validators_up: int
    in_flight: int  # at most this many sent and not yet mined
    mined_per_s: float
    transactions: int
    blocks: int
    latencies: tuple[float, ...]
    node_cpu_s: float = 0.0  # CPU time of all running nodes during the phase

    @property
    def summary(self) -> LatencySummary:
        return LatencySummary.of(self.latencies)

    def to_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "name": self.name,
            "validators_up": self.validators_up,
            "in_flight": self.in_flight,
            "mined_per_s": self.mined_per_s,
            "transactions": self.transactions,
            "blocks": self.blocks,
            "p50_s": summary.p50,
            "p95_s": summary.p95,
            "p99_s": summary.p99,
            "max_s": summary.maximum,
            "node_cpu_ms_per_tx": self.node_cpu_s / self.transactions * 1000,
            "latencies_ms": [round(s * 1000, 1) for s in self.latencies],
        }


def phase_figures(
    name: str,
    validators_up: int,
    in_flight: int,
    sent: Sequence[Sent],
    block_of: dict[str, int],
    seen: Sequence[dict[int, float]],
) -> PhaseFigures:
    """Latency per transaction and the mined rate from what was sent and observed.

    ``block_of`` maps a transaction hash to the block that includes it; ``seen[i][b]``
    is when node ``i`` first showed block ``b``. The mined rate counts every transaction
    over the time from the first send to the last one's finality.
    """
    if not sent:
        raise ValueError("no transactions were sent")
    missing = [s.tx_hash for s in sent if s.tx_hash not in block_of]
    if missing:
        raise ValueError(f"{len(missing)} transactions were never included, e.g. {missing[0]}")
    final_at = []
    for s in sent:
        block = block_of[s.tx_hash]
        if block not in seen[s.node]:
            raise ValueError(f"node {s.node} was never seen at block {block}")
        final_at.append(seen[s.node][block])
    latencies = tuple(done - s.sent_at for s, done in zip(sent, final_at, strict=True))
    elapsed = max(final_at) - min(s.sent_at for s in sent)
    return PhaseFigures(
        name,
        validators_up,
        in_flight,
        len(sent) / elapsed,
        len(sent),
        len(set(block_of.values())),
        latencies,
    )


async def _watch(rpc: Rpc, seen: dict[int, float], stop: asyncio.Event) -> None:
    """Record when each block number first shows on one node."""
    last = -1
    while not stop.is_set():
        try:
            height = int(await rpc.call("eth_blockNumber"), 16)
        except (aiohttp.ClientError, RuntimeError):
            height = last
        now = time.monotonic()
        for number in range(last + 1, height + 1):
            seen.setdefault(number, now)
        last = max(last, height)
        await asyncio.sleep(POLL_SECONDS)


async def _wait_included(rpc: Rpc, tx_hash: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipt = await rpc.call("eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            if receipt["status"] != "0x1":
                raise RuntimeError(f"anchor transaction {tx_hash} reverted")
            return int(receipt["blockNumber"], 16)
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{tx_hash} not included after {timeout:.0f} s")


async def _send_windowed(rpc: Rpc, node: int, sender: Sender, load: Load, sent: list[Sent]) -> int:
    """Anchor from one sender until ``load.until``, with at most ``load.window`` of its
    transactions not yet mined; then wait for the last one. Returns its block number."""
    address = sender.account.address
    tx_hash = ""
    mined = sender.nonce
    while time.monotonic() < load.until:
        if sender.nonce - mined >= load.window:
            await asyncio.sleep(POLL_SECONDS)
            mined = int(await rpc.call("eth_getTransactionCount", address, "latest"), 16)
            continue
        raw = sender.next_anchor(load)
        sent_at = time.monotonic()
        tx_hash = await rpc.call("eth_sendRawTransaction", raw)
        sent.append(Sent(tx_hash, node, sent_at))
    return await _wait_included(rpc, tx_hash, DRAIN_TIMEOUT) if tx_hash else 0


async def _blocks_of(rpc: Rpc, first: int, last: int) -> dict[str, int]:
    block_of: dict[str, int] = {}
    for number in range(first, last + 1):
        block = await rpc.call("eth_getBlockByNumber", hex(number), False)
        for tx_hash in block["transactions"]:
            block_of[str(tx_hash)] = number
    return block_of


@dataclasses.dataclass(frozen=True)
class Load:
    """How a phase loads the consortium: closed loop, a window of unmined txs per sender."""

    chain_id: int
    contract: str  # checksummed address
    anchor_like: bool
    window: int
    until: float = 0.0


async def run_phase(
    name: str,
    nodes: Sequence[NodeProcess],
    senders: Sequence[Sender],
    load: Load,
    seconds: float,
) -> PhaseFigures:
    """Sender ``s`` sends to node ``s mod len(urls)`` for ``seconds``; every transaction's
    finality is taken from the block watchers."""
    urls = [node.rpc_url for node in nodes]
    cpu_before = sum(cpu_seconds(node.process.pid) for node in nodes)
    seen: list[dict[int, float]] = [{} for _ in urls]
    stop = asyncio.Event()
    sent: list[Sent] = []
    limit = aiohttp.TCPConnector(limit=len(senders) + 2 * len(urls) + 4)
    async with aiohttp.ClientSession(connector=limit) as session:
        rpcs = [Rpc(session, url) for url in urls]
        first_block = int(await rpcs[0].call("eth_blockNumber"), 16) + 1
        watchers = [
            asyncio.create_task(_watch(r, s, stop)) for r, s in zip(rpcs, seen, strict=True)
        ]
        timed = dataclasses.replace(load, until=time.monotonic() + seconds)
        included = await asyncio.gather(
            *(
                _send_windowed(rpcs[s % len(urls)], s % len(urls), sender, timed, sent)
                for s, sender in enumerate(senders)
            )
        )
        last_block = max(included)
        while not all(last_block in s for s in seen):
            await asyncio.sleep(POLL_SECONDS)
        stop.set()
        await asyncio.gather(*watchers)
        cpu = sum(cpu_seconds(node.process.pid) for node in nodes) - cpu_before
        block_of = await _blocks_of(rpcs[0], first_block, last_block)
    figures = phase_figures(name, len(urls), load.window * len(senders), sent, block_of, seen)
    return dataclasses.replace(figures, node_cpu_s=cpu)


# ------------------------------------------------------------------ the benchmark


@dataclasses.dataclass(frozen=True)
class IdleCheck:
    """Blocks made while no transaction was pending, against the configured periods."""

    seconds: float
    blocks: int
    block_period: float
    empty_block_period: float

    @property
    def honoured(self) -> bool:
        """At most one empty block per ``empty_block_period`` (+1 for a block in flight)."""
        return self.blocks <= self.seconds / self.empty_block_period + 1

    def describe(self) -> str:
        verdict = "honoured" if self.honoured else "NOT honoured: empty blocks every block period"
        return (
            f"idle: {self.blocks} blocks in {self.seconds:.0f} s with nothing pending; "
            f"empty_block_period {self.empty_block_period:g} s in the node config: {verdict}"
        )


async def idle_check(url: str, block_period: float, empty_block_period: float) -> IdleCheck:
    seconds = max(5.0, 3 * block_period)
    async with aiohttp.ClientSession() as session:
        rpc = Rpc(session, url)
        before = int(await rpc.call("eth_blockNumber"), 16)
        await asyncio.sleep(seconds)
        after = int(await rpc.call("eth_blockNumber"), 16)
    return IdleCheck(seconds, after - before, block_period, empty_block_period)


def print_phase(figures: PhaseFigures, block_period: float) -> None:
    s = figures.summary
    tx_ok = "✓" if figures.mined_per_s >= TARGET_TX_PER_S else "✗"
    p95_ok = "✓" if s.p95 <= TARGET_P95_S else "✗"
    print(
        f"{figures.name}: {figures.validators_up} validators up, block period {block_period:g} s, "
        f"at most {figures.in_flight} txs in flight"
    )
    print(
        f"  anchor tx/s mined           {figures.mined_per_s:8.1f}  "
        f"(target >= {TARGET_TX_PER_S:.0f} {tx_ok}; {figures.transactions} txs "
        f"in {figures.blocks} blocks)"
    )
    print(
        f"  finality latency            p50 {s.p50 * 1000:,.0f} ms, p95 {s.p95 * 1000:,.0f} ms "
        f"(target p95 <= {TARGET_P95_S * 1000:,.0f} ms {p95_ok}), p99 {s.p99 * 1000:,.0f} ms, "
        f"max {s.maximum * 1000:,.0f} ms"
    )
    print(
        f"  node CPU per mined tx       {figures.node_cpu_s / figures.transactions * 1000:,.1f} ms"
        f" (all {figures.validators_up} nodes together)"
    )
    print(f"  conditions                  {machine.describe()}")


def run(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    consortium = init_consortium(
        scratch / "consortium", args.validators, args.senders + 1, args.block_period
    )
    config = node_settings(consortium)
    print(
        f"consortium: {args.validators} validators (`govchain consortium init`), each node its "
        f"own process; node config block_period {config.block_period:g} s, "
        f"empty_block_period {config.empty_block_period:g} s; {machine.describe()}",
        flush=True,
    )
    nodes = start_nodes(consortium)
    try:
        urls = [node.rpc_url for node in nodes]
        asyncio.run(wait_for_height(urls, 2, 120))
        accounts = [
            EthAccount.from_key(a.private_key) for a in load_dev_accounts(scratch / "consortium")
        ]
        member, senders = accounts[0], [Sender(a, n) for n, a in enumerate(accounts[1:])]
        if args.contract == "anchor-like":
            contract = deploy_anchor_like(urls[0], member)
        else:
            contract = register_issuers(urls[0], bytes(member.key), [s.account for s in senders])
        print(f"contract: {CONTRACTS[args.contract]} at {contract}", flush=True)
        idle = asyncio.run(idle_check(urls[0], config.block_period, config.empty_block_period))
        print(idle.describe(), flush=True)
        load = Load(consortium.chain_id, contract, args.contract == "anchor-like", args.window)
        healthy = asyncio.run(run_phase("healthy", nodes, senders, load, args.seconds))
        print_phase(healthy, config.block_period)
        victim = consortium.nodes[args.kill]
        nodes[args.kill].kill()
        print(f"killed {victim.name} (validator 0x{victim.address.hex()}) with SIGKILL", flush=True)
        live = [node for index, node in enumerate(nodes) if index != args.kill]
        down = asyncio.run(run_phase("one validator down", live, senders, load, args.seconds))
        print_phase(down, config.block_period)
    finally:
        for node in nodes:
            if node.process.poll() is None:
                node.process.send_signal(signal.SIGTERM)
        for node in nodes:
            node.terminate()
    return {
        "validators": args.validators,
        "block_period_s": config.block_period,
        "empty_block_period_s": config.empty_block_period,
        "idle_blocks": idle.blocks,
        "idle_seconds": idle.seconds,
        "empty_block_period_honoured": idle.honoured,
        "killed": victim.name,
        "senders": args.senders,
        "cpus": machine.cpus(),
        "load_average": machine.load_average(),
        "phases": [healthy.to_json(), down.to_json()],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validators", type=int, default=4)
    parser.add_argument("--block-period", type=float, default=1.0)
    parser.add_argument("--contract", choices=sorted(CONTRACTS), default="anchor-registry")
    parser.add_argument("--window", type=int, default=8, help="unmined txs per sender")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of load per phase")
    parser.add_argument("--senders", type=int, default=8, help="issuer accounts sending")
    parser.add_argument("--kill", type=int, default=None, help="validator index to kill")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.validators < 2 or args.senders < 1 or args.window < 1 or args.seconds <= 0:
        parser.error("need >= 2 validators, >= 1 sender, a window >= 1 and a positive duration")
    args.kill = args.validators - 1 if args.kill is None else args.kill
    if not 0 <= args.kill < args.validators:
        parser.error(f"--kill must be a validator index below {args.validators}")
    with tempfile.TemporaryDirectory(prefix="govchain-consortium-bench-") as scratch:
        document = run(args, Path(scratch))
    if args.json:
        print(json.dumps(document))


if __name__ == "__main__":
    main()
