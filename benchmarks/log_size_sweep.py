"""Log-size sweep: how the proof core and the notary behave as an issuer's log grows.

    python -m benchmarks.log_size_sweep [--sizes 10000 100000 1000000 10000000]
                                        [--fill store|http] [--seconds 3] [--json]

For each size N, in increasing order:

1. **Proof core, in memory** (``govchain_core.log.MerkleLog``): the log is grown to N
   leaves, then at N: inclusion proofs generated and verified, consistency proofs from
   random earlier sizes generated and verified (µs per proof), and the rate of
   appending a further 100,000 leaves (the next size's fill continues from there).
2. **Notary**: a fresh notary (its own registries on the same ``--dev`` node with 1 s
   blocks, so its issuer's anchored log starts empty) has its log filled to N
   (``--fill store``: before the notary starts, its own storage layer writes the
   leaves exactly as its writer does, salted leaf records, log tiles and log size in
   group commits of 50,000; ``--fill http``: ``POST /v1/digests`` batches of 10,000 to
   the running notary). At N, the notary benchmark's own load generators (imported
   from ``benchmarks.notary_throughput``) measure single-document submit → anchored
   latency, lookups by digest (100 digests, served from the lookup cache as in the
   notary benchmark, and first lookups of digests spread over the whole log, which
   read the database and the chain), and inclusion and consistency proofs are read
   from the notary's database (its log tiles: what a receipt costs at that size).
   Last, digests/s accepted and anchored end to end for ``--seconds``; that run adds
   tens of thousands of digests, so its end size is printed too.

Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import random
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks import machine
from benchmarks.notary_throughput import (
    chain_environment,
    latency,
    lookups,
    start_node,
    start_notary,
    throughput,
)
from benchmarks.percentiles import LatencySummary
from govchain_core.log import MerkleLog
from govchain_core.merkle import verify_consistency, verify_inclusion
from govchain_core.tiles import tile_consistency_proof, tile_inclusion_proof
from govchain_notary.auth import new_client
from govchain_notary.log_store import WriterLogs
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import CommitBatch, LeafBlock
from govchain_notary.storage.sql import SqlStore
from govchain_notary.submissions import item, prepare_leaves
from tests.support.ports import free_port

DEFAULT_SIZES = (10**4, 10**5, 10**6, 10**7)
APPEND_SAMPLE = 100_000
CORE_PROOFS = 2_000
STORE_PROOFS = 200
STORE_FILL_BATCH = 50_000
HTTP_FILL_BATCH = 10_000
HOT_DIGESTS = 100  # as many as the notary benchmark looks up: served from its cache
COLD_DIGESTS = 20_000  # more than one lookup run reaches: each a first lookup
KIND = "dataset"
BLOCK_PERIOD = 1.0


def fill_digest(index: int) -> str:
    """The digest of the ``index``-th pre-filled document (distinct from the load's)."""
    return f"sha256:{(9 << 60) + index:064x}"


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# ------------------------------------------------------------------ proof core


def synthetic_leaves(start: int, count: int) -> Iterator[bytes]:
    sha256 = hashlib.sha256
    for n in range(start, start + count):
        yield sha256(n.to_bytes(8, "big")).digest()


def grow(log: MerkleLog, size: int) -> None:
    while log.size < size:
        count = min(STORE_FILL_BATCH, size - log.size)
        log.append_many(synthetic_leaves(log.size, count))


def proof_figures(log: MerkleLog, samples: int, rng: random.Random) -> dict[str, float]:
    """µs per inclusion and consistency proof generated and verified at ``log.size``."""
    size, root = log.size, log.root()
    indices = [rng.randrange(size) for _ in range(samples)]
    olds = [rng.randrange(1, size) for _ in range(samples)]
    inclusion: list[list[bytes]] = []
    consistency: list[list[bytes]] = []
    gen_inclusion = _timed(lambda: inclusion.extend(log.inclusion_proof(i) for i in indices))
    gen_consistency = _timed(lambda: consistency.extend(log.consistency_proof(m) for m in olds))
    leaves = [log.leaf(i) for i in indices]
    old_roots = [log.root(m) for m in olds]

    def verify_all_inclusion() -> None:
        for index, leaf, proof in zip(indices, leaves, inclusion, strict=True):
            verify_inclusion(index, size, leaf, proof, root)

    def verify_all_consistency() -> None:
        for old, old_root, proof in zip(olds, old_roots, consistency, strict=True):
            verify_consistency(old, size, old_root, root, proof)

    per = 1e6 / samples
    return {
        "inclusion_generate_us": gen_inclusion * per,
        "inclusion_verify_us": _timed(verify_all_inclusion) * per,
        "consistency_generate_us": gen_consistency * per,
        "consistency_verify_us": _timed(verify_all_consistency) * per,
    }


def core_step(log: MerkleLog, size: int, rng: random.Random) -> dict[str, float]:
    grow(log, size)
    figures = proof_figures(log, CORE_PROOFS, rng)
    leaves = list(synthetic_leaves(log.size, APPEND_SAMPLE))
    seconds = _timed(lambda: log.append_many(leaves))
    figures["append_per_s"] = APPEND_SAMPLE / seconds
    return figures


# ------------------------------------------------------------------ notary


@dataclasses.dataclass
class Notary:
    """The notary under test: its data dir, issuer, API key and (while up) process."""

    data_dir: Path
    issuer: str
    key: str
    client_id: int
    chain_env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> str:
        return f"sqlite:///{self.data_dir / 'notary.db'}"

    def start(self) -> None:
        self.process = start_notary(self.data_dir, self.port, BLOCK_PERIOD, self.chain_env)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
            self.process = None


def store_fill(notary: Notary, size: int) -> tuple[int, float]:
    """Fill the stopped notary's log to ``size`` through its storage layer, as its writer
    does (leaf records with fresh salts, log tiles, log size; group commits).
    Returns the leaves added and the seconds it took."""
    store = SqlStore(make_engine(notary.database))
    try:
        logs = WriterLogs(store, [notary.issuer])
        start = logs.size(notary.issuer)
        started = time.perf_counter()
        while (done := logs.size(notary.issuer)) < size:
            count = min(STORE_FILL_BATCH, size - done)
            items = [item(fill_digest(n)) for n in range(done, done + count)]
            leaves = prepare_leaves(KIND, notary.issuer, items)
            first = logs.append(notary.issuer, leaves.leaf_hashes)
            batch = CommitBatch(
                blocks=[LeafBlock(notary.issuer, first, notary.client_id, time.time(), leaves)],
                tiles=logs.take_tiles(),
                interiors=logs.take_interiors(),
                log_sizes={notary.issuer: logs.size(notary.issuer)},
            )
            store.commit(batch)
        return size - start, time.perf_counter() - started
    finally:
        store.close()


def http_fill(notary: Notary, size: int) -> tuple[int, float]:
    """Fill the running notary's log to ``size`` with bulk ``POST /v1/digests``."""
    headers = {"Authorization": f"Bearer {notary.key}", "Content-Type": "application/json"}
    done = log_size(notary)
    start, started = done, time.perf_counter()
    with httpx.Client(base_url=notary.url, timeout=120) as client:
        while done < size:
            count = min(HTTP_FILL_BATCH, size - done)
            items = ",".join(f'{{"digest":"{fill_digest(n)}"}}' for n in range(done, done + count))
            response = client.post(
                "/v1/digests", content=f'{{"kind":"{KIND}","items":[{items}]}}', headers=headers
            )
            if response.status_code == 503:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            response.raise_for_status()
            done += count
    return size - start, time.perf_counter() - started


def log_size(notary: Notary) -> int:
    store = SqlStore(make_engine(notary.database))
    try:
        return store.log_size(notary.issuer)
    finally:
        store.close()


def store_proof_figures(notary: Notary, rng: random.Random) -> dict[str, float]:
    """µs per inclusion / consistency proof read from the notary's own database."""
    store = SqlStore(make_engine(notary.database))
    try:
        size = store.log_size(notary.issuer)
        tiles = store.tile_reader(notary.issuer, size)
        indices = [rng.randrange(size) for _ in range(STORE_PROOFS)]
        olds = [rng.randrange(1, size) for _ in range(STORE_PROOFS)]
        per = 1e6 / STORE_PROOFS
        return {
            "store_inclusion_generate_us": _timed(
                lambda: [tile_inclusion_proof(tiles, i, size) for i in indices]
            )
            * per,
            "store_consistency_generate_us": _timed(
                lambda: [tile_consistency_proof(tiles, m, size) for m in olds]
            )
            * per,
        }
    finally:
        store.close()


def notary_step(notary: Notary, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Fill a fresh notary's log to ``size``, then measure what does not grow the log
    (single-document latency, lookups, proofs from the database) before the throughput
    run, which adds tens of thousands of digests."""
    if args.fill == "store":
        added, seconds = store_fill(notary, size)
        notary.start()
    else:
        notary.start()
        added, seconds = http_fill(notary, size)
    print(
        f"  filled {added:,} documents by {FILL_LABELS[args.fill]} in {seconds:.1f} s "
        f"({added / seconds:,.0f}/s)",
        flush=True,
    )
    rng = random.Random(size)
    single = asyncio.run(latency(notary.url, notary.key, clients=args.latency_clients, each=4))
    hot = [fill_digest(rng.randrange(size)) for _ in range(HOT_DIGESTS)]
    with httpx.Client(base_url=notary.url, timeout=30) as client:
        for digest in hot:  # into the lookup cache, as repeated verifications find it
            client.get(f"/v1/digests/{digest}").raise_for_status()
    hot_found = lookups(notary.port, hot, args.seconds, 1)
    spread = [fill_digest(rng.randrange(size)) for _ in range(COLD_DIGESTS)]
    cold_found = lookups(notary.port, spread, args.seconds, 1)
    proofs = store_proof_figures(notary, rng)
    rate, _ = throughput(notary.url, notary.key, args.seconds, args.submitters)
    single_summary = LatencySummary.of(single)
    hot_summary, cold_summary = LatencySummary.of(hot_found), LatencySummary.of(cold_found)
    return {
        "fill_per_s": added / seconds,
        "size_after": log_size(notary),
        "accepted_per_s": rate["accepted_per_s"],
        "anchored_per_s": rate["anchored_per_s"],
        "latency_p50_ms": single_summary.p50 * 1000,
        "latency_p99_ms": single_summary.p99 * 1000,
        "lookup_per_s": len(hot_found) / args.seconds,
        "lookup_p50_ms": hot_summary.p50 * 1000,
        "lookup_p99_ms": hot_summary.p99 * 1000,
        "cold_lookup_per_s": len(cold_found) / args.seconds,
        "cold_lookup_p99_ms": cold_summary.p99 * 1000,
        **proofs,
    }


FILL_LABELS = {
    "store": "the notary's storage layer directly (notary stopped; same rows as its writer)",
    "http": f"POST /v1/digests batches of {HTTP_FILL_BATCH:,}",
}


@dataclasses.dataclass(frozen=True)
class Chain:
    """The ``--dev`` node every size's notary anchors on."""

    node_dir: Path
    rpc_url: str


def fresh_notary(chain: Chain, directory: Path) -> Notary:
    """A notary data dir with its own registries on the chain (so the issuer's anchored
    log starts empty) and an API key. ``chain_environment`` reads the node's dev key
    from ``<dir>/node``, hence the link."""
    directory.mkdir()
    (directory / "node").symlink_to(chain.node_dir)
    chain_env, issuer = chain_environment(directory, chain.rpc_url)
    store = SqlStore(make_engine(f"sqlite:///{directory / 'notary.db'}"))
    migrate(store.engine)
    client, key = new_client(store, "sweep", issuer, ["submit:*"], 1_000_000)
    store.close()
    return Notary(directory, issuer, key, client.id, chain_env, free_port())


# ------------------------------------------------------------------ output


def print_step(size: int, core: dict[str, float], notary: dict[str, Any]) -> None:
    print(f"log size {size:,} (after the throughput run {notary['size_after']:,})", flush=True)
    print(
        f"  core, in memory:  append {core['append_per_s']:,.0f} leaves/s; inclusion proof "
        f"generate {core['inclusion_generate_us']:.1f} µs, verify "
        f"{core['inclusion_verify_us']:.1f} µs; consistency proof generate "
        f"{core['consistency_generate_us']:.1f} µs, verify {core['consistency_verify_us']:.1f} µs"
    )
    print(
        f"  notary database:  inclusion proof {notary['store_inclusion_generate_us']:,.0f} µs, "
        f"consistency proof {notary['store_consistency_generate_us']:,.0f} µs"
    )
    print(
        f"  notary end to end: accepted {notary['accepted_per_s']:,.0f}/s, anchored "
        f"{notary['anchored_per_s']:,.0f}/s; submit->anchored p50 "
        f"{notary['latency_p50_ms']:,.0f} ms, p99 {notary['latency_p99_ms']:,.0f} ms"
    )
    print(
        f"  notary lookups:   {HOT_DIGESTS} digests (cached) {notary['lookup_per_s']:,.0f}/s, "
        f"p50 {notary['lookup_p50_ms']:.1f} ms, p99 {notary['lookup_p99_ms']:.1f} ms; "
        f"first lookups spread over the log {notary['cold_lookup_per_s']:,.0f}/s, "
        f"p99 {notary['cold_lookup_p99_ms']:.1f} ms"
    )
    print(f"  conditions: {machine.describe()}", flush=True)


def parse_sizes(values: Sequence[int]) -> list[int]:
    sizes = sorted(set(values))
    if not sizes or sizes[0] < 2:
        raise argparse.ArgumentTypeError("sizes must be at least 2")
    return sizes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--fill", choices=sorted(FILL_LABELS), default="store")
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput/lookup run")
    parser.add_argument("--submitters", type=int, default=2)
    parser.add_argument("--latency-clients", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    print(
        f"log-size sweep over {', '.join(f'{s:,}' for s in sizes)} documents; notary on a "
        f"govchain --dev node, SQLite WAL synchronous=FULL, {BLOCK_PERIOD:g} s blocks; log "
        f"filled by {FILL_LABELS[args.fill]}; {machine.describe()}",
        flush=True,
    )
    rng = random.Random(1)
    core_log = MerkleLog()
    rows = []
    with tempfile.TemporaryDirectory(prefix="govchain-sweep-") as scratch:
        node = start_node(Path(scratch) / "node", BLOCK_PERIOD)
        chain = Chain(Path(scratch) / "node", node.rpc_url)
        try:
            for size in sizes:
                core = core_step(core_log, size, rng)
                notary = fresh_notary(chain, Path(scratch) / f"notary-{size}")
                try:
                    measured = notary_step(notary, size, args)
                finally:
                    notary.stop()
                    shutil.rmtree(notary.data_dir)
                print_step(size, core, measured)
                rows.append({"size": size, "core": core, "notary": measured})
        finally:
            node.terminate()
    if args.json:
        document = {
            "fill": args.fill,
            "block_period_s": BLOCK_PERIOD,
            "cpus": machine.cpus(),
            "load_average": machine.load_average(),
            "rows": rows,
        }
        print(json.dumps(document))


if __name__ == "__main__":
    main()
