"""Notary benchmark: end-to-end throughput, submit→anchored latency, lookup rate.

Runs the embedded default as separate processes: a govchain ``--dev`` node (the
registries deployed, the issuer registered), the notary under uvicorn (SQLite in
WAL mode, synchronous=FULL, anchoring through web3.py), and load generators that
drive it over HTTP.  The peer, measured in the same run, is the naive design: one
AnchorRegistry transaction per document, sent to a Hardhat node.  Prints figures;
asserts nothing about time.

    python benchmarks/notary_throughput.py [--seconds 10] [--chain node|file] [--no-peer]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import machine
from govchain_contracts import load
from govchain_core.log import MerkleLog
from govchain_node.keys import load_dev_accounts
from govchain_notary.auth import new_client
from govchain_notary.devchain import deploy_dev_registries, web3_for, write_keystore
from govchain_notary.settings import DEV_ISSUER
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore
from tests.support.hardhat_node import HARDHAT_KEYS, hardhat_available, start_hardhat
from tests.support.node_process import NodeProcess, start_node_process
from tests.support.ports import free_port

BATCH = 10_000


def start_node(data_dir: Path, block_period: float) -> NodeProcess:
    """A ``--dev`` node process with the given block period, listening on a free port."""
    return start_node_process(data_dir, "--block-period", str(block_period))


def chain_environment(data_dir: Path, rpc_url: str) -> tuple[dict[str, str], str]:
    """Deploy the registries on the node; the notary's settings and issuer address."""
    key = load_dev_accounts(data_dir / "node")[0].private_key
    issuer = write_keystore(data_dir / "issuer.json", key, "dev-password")
    registries = deploy_dev_registries(rpc_url, key, issuer)
    env = {
        "GOVCHAIN_NOTARY_CHAIN": "web3",
        "GOVCHAIN_NOTARY_RPC_URL": rpc_url,
        "GOVCHAIN_NOTARY_ANCHOR_REGISTRY": registries.anchor,
        "GOVCHAIN_NOTARY_STATUS_REGISTRY": registries.status,
        "GOVCHAIN_NOTARY_ISSUER_REGISTRY": registries.issuer,
        "GOVCHAIN_NOTARY_ISSUERS": json.dumps(
            [{"address": issuer, "keystore": str(data_dir / "issuer.json")}]
        ),
    }
    return env, issuer


def start_notary(
    data_dir: Path, port: int, block_period: float, chain_env: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOVCHAIN_NOTARY_DATA_DIR": str(data_dir),
        "GOVCHAIN_NOTARY_CHAIN": "file",
        **chain_env,
        "GOVCHAIN_NOTARY_BLOCK_PERIOD": str(block_period),
        "GOVCHAIN_NOTARY_PUBLIC_READ_RATE": "1000000",
        "GOVCHAIN_NOTARY_PUBLIC_READ_BURST": "1000000",
        "GOVCHAIN_NOTARY_BACKLOG_LIMIT": "5000000",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "govchain_notary.asgi:app_from_env",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("the notary did not start")


_OPEN = b'{"kind":"dataset","items":[{"digest":"sha256:'
_BETWEEN = b'"},{"digest":"sha256:'
_CLOSE = b'"}]}'
#: Keep-alive connections per lookup worker process.
CONNECTIONS = 16
#: Digests of each batch kept for the lookup phase (distinct documents to look up).
SAMPLE_PER_BATCH = 1_000


def batch_digits() -> bytes:
    """The hex digits of ``BATCH`` random digests, 64 per digest.

    Random as SHA-256 outputs are: counters or shared prefixes would let the notary's
    digest index append instead of scatter, and so flatter its insert cost.  One
    ``urandom`` call and a join keep the load generator's CPU per digest small (it
    shares the two cores with the notary)."""
    return os.urandom(32 * BATCH).hex().encode()


def batch_body(digits: bytes) -> bytes:
    """A submit body of plain digests from :func:`batch_digits`."""
    return _OPEN + _BETWEEN.join(digits[i : i + 64] for i in range(0, len(digits), 64)) + _CLOSE


def last_receipt_id(answer: bytes) -> str:
    """The id of the last receipt of a submit answer, without parsing 10,000 others:
    ids are 32 hex digits and the answer lists them in order."""
    if b'"count":%d,' % BATCH not in answer[:200]:
        raise ValueError(f"the notary did not accept all {BATCH:,} digests: {answer[:200]!r}")
    start = answer.rindex(b'{"id":"') + len(b'{"id":"')
    return answer[start : start + 32].decode()


def _lane(
    client: httpx.Client, worker: int, lane: int, deadline: float, results: list[Any]
) -> None:
    """Post batches one after another until ``deadline``; count them, keep the last id
    and a sample of the digests accepted."""
    sent, last_id, sample = 0, None, list[str]()
    while time.monotonic() < deadline:
        digits = batch_digits()
        response = client.post("/v1/digests", content=batch_body(digits))
        if response.status_code == 202:
            sent += BATCH
            last_id = last_receipt_id(response.content)
            kept = digits[: 64 * SAMPLE_PER_BATCH].decode()
            sample.extend("sha256:" + kept[i : i + 64] for i in range(0, len(kept), 64))
        elif response.status_code == 503:
            time.sleep(float(response.headers.get("Retry-After", "1")))
        else:
            raise RuntimeError(f"submit answered {response.status_code}: {response.text[:300]}")
    results[lane] = (sent, last_id, sample)


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far, from ``/proc`` (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _submitter(
    url: str,
    key: str,
    worker: int,
    seconds: float,
    in_flight: int,
    queue: Any,
    ready: Any = None,
    go: Any = None,
) -> None:
    """Keep ``in_flight`` batches of unique digests in flight for ``seconds`` (one thread
    and connection each); report the digests sent and each lane's last receipt id.

    With ``ready`` and ``go``: say ready once started (imports done, clients open) and
    wait for ``go``, so the measured window holds load, not process start-up."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    clients = [httpx.Client(base_url=url, timeout=60, headers=headers) for _ in range(in_flight)]
    if ready is not None and go is not None:
        ready.put(worker)
        go.wait()
    deadline = time.monotonic() + seconds
    results: list[Any] = [(0, None, [])] * in_flight
    lanes = [
        threading.Thread(target=_lane, args=(client, worker, lane, deadline, results))
        for lane, client in enumerate(clients)
    ]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    for client in clients:
        client.close()
    queue.put(
        (
            sum(sent for sent, _, _ in results),
            [last for _, last, _ in results if last],
            [digest for _, _, sample in results for digest in sample],
        )
    )


def throughput(
    url: str, key: str, seconds: float, workers: int, in_flight: int = 1
) -> tuple[dict[str, float], list[str]]:
    """Digests/s accepted and anchored end to end, timed from the moment every load
    generator is started and ready (their process start-up is not the notary's time)
    until the last batch's receipt is complete (anchored); and a sample of the digests
    accepted, in random order."""
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    ready: Any = context.Queue()
    go = context.Event()
    processes = [
        context.Process(target=_submitter, args=(url, key, w, seconds, in_flight, queue, ready, go))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get()
    started = time.monotonic()
    go.set()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    accepted_at = time.monotonic()
    total = sum(sent for sent, _, _ in results)
    with httpx.Client(base_url=url, timeout=30) as client:
        for last_id in (last for _, lasts, _ in results for last in lasts):
            while client.get(f"/v1/receipts/{last_id}").json()["status"] != "anchored":
                time.sleep(0.01)
    anchored_at = time.monotonic()
    figures = {
        "digests": total,
        "accepted_per_s": total / (accepted_at - started),
        "anchored_per_s": total / (anchored_at - started),
    }
    sample = [digest for _, _, digests in results for digest in digests]
    random.shuffle(sample)
    return figures, sample


async def _latency_client(url: str, key: str, count: int, offset: int) -> list[float]:
    headers = {"Authorization": f"Bearer {key}"}
    samples = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for n in range(count):
            digest = f"sha256:{(7 << 60) + offset * 1000 + n:064x}"
            started = time.perf_counter()
            response = await client.post(
                "/v1/digests",
                json={"kind": "certificate", "digest": digest},
                headers=headers,
                params={"wait": 30},
            )
            assert response.status_code == 200, response.text
            samples.append(time.perf_counter() - started)
    return samples


async def latency(url: str, key: str, clients: int, each: int) -> list[float]:
    parts = await asyncio.gather(*(_latency_client(url, key, each, c) for c in range(clients)))
    return sorted(s for part in parts for s in part)


def _lookup_worker(
    ports: list[int], digests: list[str], seconds: float, first: int, step: int, queue: Any
) -> None:
    """Keep-alive GETs over raw asyncio streams: httpx itself tops out near 1,000
    requests/s per core, which would measure the load generator, not the notary.

    Connection ``c`` asks for digests ``first + c``, then every ``step``-th after it,
    so no two connections of any worker ask for the same digest until the list wraps;
    connections are spread over ``ports`` (one per notary process) in turn."""

    async def connection(n: int, samples: list[float]) -> None:
        port = ports[n % len(ports)]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            request = f"GET /v1/digests/{digests[n % len(digests)]} HTTP/1.1\r\nHost: b\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            samples.append(time.perf_counter() - started)
            n += step
        writer.close()

    async def run() -> list[float]:
        samples: list[float] = []
        await asyncio.gather(*(connection(first + c, samples) for c in range(CONNECTIONS)))
        return samples

    queue.put(asyncio.run(run()))


def lookups(port: int | list[int], digests: list[str], seconds: float, workers: int) -> list[float]:
    """Sorted latencies of keep-alive lookups from ``workers`` processes for ``seconds``."""
    ports = port if isinstance(port, list) else [port]
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    processes = [
        context.Process(
            target=_lookup_worker,
            args=(ports, digests, seconds, w * CONNECTIONS, workers * CONNECTIONS, queue),
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    samples = [s for _ in processes for s in queue.get()]
    for process in processes:
        process.join()
    return sorted(samples)


def report_lookups(what: str, found: list[float], seconds: float, target: str) -> None:
    print(
        f"lookup by digest, {what}: {len(found) / seconds:,.0f} requests/s, "
        f"p50 {statistics.median(found) * 1000:.1f} ms, "
        f"p99 {_percentile(found, 0.99) * 1000:.1f} ms{target}"
    )


def _percentile(samples: list[float], fraction: float) -> float:
    return samples[min(len(samples) - 1, int(fraction * len(samples)))]


def naive_peer(seconds: float) -> float | None:
    """Documents/s of the naive design: one anchor transaction per document, on Hardhat."""
    if not hardhat_available():
        return None
    node = start_hardhat(Path(tempfile.mkdtemp(prefix="govchain-hardhat-")))
    try:
        key = bytes.fromhex(HARDHAT_KEYS[0].removeprefix("0x"))
        account: LocalAccount = Account.from_key(key)
        registries = deploy_dev_registries(node.rpc_url, key, account.address.lower())
        web3 = web3_for(node.rpc_url)
        anchors: Any = web3.eth.contract(
            address=Web3.to_checksum_address(registries.anchor),
            abi=list(load("AnchorRegistry").abi),
        )
        nonce = int(web3.eth.get_transaction_count(account.address))
        gas_price = int(web3.eth.gas_price) * 2
        log, sent = MerkleLog(), 0
        last: Any = None
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        while time.monotonic() < deadline:
            prev = log.size
            log.append(os.urandom(32))
            proof = log.consistency_proof(prev, log.size) if prev else []
            tx: Any = anchors.functions.anchor(log.size, log.root(), prev, proof).build_transaction(
                {
                    "from": account.address,
                    "nonce": nonce,
                    "gas": 500_000,
                    "gasPrice": gas_price,
                    "chainId": 31337,
                }
            )
            last = web3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
            nonce += 1
            sent += 1
        receipt = web3.eth.wait_for_transaction_receipt(last, timeout=120)
        assert receipt["status"] == 1
        return sent / (time.monotonic() - started)
    finally:
        node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--block-period", type=float, default=1.0)
    parser.add_argument("--submitters", type=int, default=2)
    parser.add_argument(
        "--in-flight", type=int, default=2, help="batches each submitter keeps in flight"
    )
    parser.add_argument("--lookup-workers", type=int, default=1)
    parser.add_argument("--chain", choices=["node", "file"], default="node")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="govchain-bench-"))
    node: NodeProcess | None = None
    chain_env: dict[str, str] = {}
    issuer = DEV_ISSUER
    if args.chain == "node":
        node = start_node(data_dir / "node", args.block_period)
    try:  # a failed set-up must not leave the node running
        if node is not None:
            chain_env, issuer = chain_environment(data_dir, node.rpc_url)
        engine = make_engine(f"sqlite:///{data_dir / 'notary.db'}")
        migrate(engine)
        store = SqlStore(engine)
        _, key = new_client(store, "bench", issuer, ["submit:*"], 1_000_000)
        store.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        notary = start_notary(data_dir, port, args.block_period, chain_env)
    except BaseException:
        if node is not None:
            node.terminate()
        raise
    try:
        if args.chain == "node":
            print("chain: a govchain --dev node process, anchoring through web3.py JSON-RPC")
        else:
            print("chain: the file-backed dev chain (fake anchorer, no node)")
        print(
            f"storage: SQLite WAL synchronous=FULL; block period {args.block_period}s; "
            f"batches of {BATCH:,} from {args.submitters} submitter processes over HTTP, "
            f"{args.in_flight} in flight each; "
            f"{machine.describe()} (load generators and chain node on the same CPUs)"
        )
        cpu_before = process_cpu_seconds(notary.pid)
        result, accepted = throughput(url, key, args.seconds, args.submitters, args.in_flight)
        notary_cpu = process_cpu_seconds(notary.pid) - cpu_before
        print(
            f"throughput: {result['digests']:,} digests in batches of {BATCH:,}: "
            f"accepted {result['accepted_per_s']:,.0f}/s, "
            f"anchored end to end {result['anchored_per_s']:,.0f}/s (target 100,000/s); "
            f"load average after {machine.load_average():.1f}"
        )
        print(
            f"notary CPU during the throughput run: "
            f"{notary_cpu / result['digests'] * 1e6:.1f} us per digest (all its threads)"
        )
        samples = asyncio.run(latency(url, key, clients=10, each=10))
        print(
            f"latency submit->anchored (wait=): n={len(samples)} "
            f"p50 {statistics.median(samples) * 1000:.0f} ms, "
            f"p99 {_percentile(samples, 0.99) * 1000:.0f} ms "
            f"(target p99 <= {1.5 * args.block_period * 1000:.0f} ms)"
        )
        report_lookups(
            f"{len(accepted):,} distinct digests from the throughput run (cache misses)",
            lookups(port, accepted, args.seconds, args.lookup_workers),
            args.seconds,
            " (target >= 3,000/s, p99 <= 50 ms)",
        )
        hot = [f"sha256:{(7 << 60) + c * 1000 + n:064x}" for c in range(10) for n in range(10)]
        report_lookups(
            "100 hot digests (cached)",
            lookups(port, hot, args.seconds, args.lookup_workers),
            args.seconds,
            "",
        )
    finally:
        notary.send_signal(signal.SIGTERM)
        notary.wait(30)
        if node is not None:
            node.terminate()
    if not args.no_peer:
        peer = naive_peer(args.seconds)
        if peer is None:
            print("peer: Hardhat is not installed; skipped")
        else:
            print(
                f"peer (naive: one anchor tx per document, Hardhat): {peer:,.0f} documents/s; "
                f"notary/peer = {result['anchored_per_s'] / peer:,.0f}x (target >= 100x)"
            )


if __name__ == "__main__":
    main()
