"""Proof-core benchmark: ``python -m benchmarks.core_merkle [--leaves N]``.

Prints append rate, inclusion proof generation and verification rates for a log of
N leaves (default 1,000,000), and offline receipt verification (decode + leaf hash +
inclusion proof).  The peer, measured in the same run, is the bare hashing floor: one
SHA-256 per leaf and per node, with no log around it, so the ratio shows what the
log's bookkeeping costs on this machine today.

Receipt verification is reported as CPU time per receipt for canonical receipts (the
decoder's fast path) and for non-canonical ones (the strict decoder), beside its own
floor (``json.loads`` and the SHA-256 calls of one inclusion proof), and as receipts/s
with one process per core; with the load average, since the machine is shared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from benchmarks import machine
from govchain_core.digest import digest_bytes
from govchain_core.leaf import LeafRecord
from govchain_core.log import MerkleLog
from govchain_core.merkle import leaf_hash, verify_inclusion
from govchain_core.receipt import AnchorRef, InclusionProof, Receipt
from govchain_core.receipt_codec import decode_receipt, encode_receipt

BATCH = 10_000


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def hashing_floor(leaves: list[bytes]) -> float:
    """Seconds for 2 SHA-256 per leaf (a leaf's share of parent nodes is one)."""
    sha = hashlib.sha256

    def run() -> None:
        for leaf in leaves:
            sha(b"\x01" + leaf + leaf).digest()
            sha(b"\x01" + leaf + leaf).digest()

    return timed(run)


def bench_log(count: int) -> tuple[MerkleLog, list[bytes], dict[str, float]]:
    leaves = [leaf_hash(i.to_bytes(8, "big")) for i in range(count)]
    log = MerkleLog()

    def append() -> None:
        for start in range(0, count, BATCH):
            log.append_many(leaves[start : start + BATCH])

    append_s = timed(append)
    floor_s = hashing_floor(leaves)
    indices = list(range(0, count, max(1, count // 50_000)))
    proofs: list[list[bytes]] = []
    generate_s = timed(lambda: proofs.extend(log.inclusion_proof(i) for i in indices))
    root = log.root()

    def verify() -> None:
        for index, proof in zip(indices, proofs, strict=True):
            verify_inclusion(index, count, leaves[index], proof, root)

    verify_s = timed(verify)
    return (
        log,
        leaves,
        {
            "append_per_s": count / append_s,
            "hash_floor_per_s": count / floor_s,
            "proofs_generated_per_s": len(indices) / generate_s,
            "proofs_verified_per_s": len(indices) / verify_s,
        },
    )


def sample_receipts(count: int) -> list[bytes]:
    """Canonical receipts (as the notary writes them) of up to 20,000 leaves of a log of
    ``count`` leaves."""
    issuer = "0x" + "11" * 20
    sample = min(count, 20_000)
    records = [
        LeafRecord("certificate", digest_bytes(i.to_bytes(8, "big")), i.to_bytes(16, "big"), issuer)
        for i in range(sample)
    ]
    log = MerkleLog()
    log.append_many(r.leaf_hash() for r in records)
    anchor = AnchorRef(1337, "0x" + "a5" * 20, b"\x01" * 32, 7, b"\x02" * 32, 1_790_000_000)
    blank = Receipt(records[0], InclusionProof(0, log.size, (), log.root()), anchor)
    return [
        encode_receipt(
            replace(
                blank,
                leaf=r,
                proof=InclusionProof(i, log.size, tuple(log.inclusion_proof(i)), log.root()),
            )
        )
        for i, r in enumerate(records)
    ]


def verify_offline(encoded: Sequence[bytes]) -> None:
    """What an offline verifier does per receipt: decode, leaf hash, inclusion proof."""
    for blob in encoded:
        receipt = decode_receipt(blob)
        proof = receipt.proof
        verify_inclusion(proof.index, proof.tree_size, receipt.leaf_hash, proof.path, proof.root)


def receipt_floor(encoded: Sequence[bytes], paths: Sequence[Sequence[bytes]]) -> None:
    """The floor: ``json.loads``, then the SHA-256 calls of one inclusion proof (the leaf
    hash and one per path node, the nodes given as bytes), with no validation and no
    objects built."""
    sha = hashlib.sha256
    for blob, path in zip(encoded, paths, strict=True):
        json.loads(blob)
        acc = sha(b"\x00" + blob[:200]).digest()
        for node in path:
            acc = sha(b"\x01" + node + acc).digest()


def cpu_per_item(action: Callable[[], Any], items: int, runs: int = 3) -> float:
    """Best CPU seconds per item over ``runs`` runs (CPU time, so the other workers on a
    shared machine slow it less than they slow wall time)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best / items


def _verify_in_worker(encoded: Sequence[bytes], start: Any, elapsed: Any) -> None:
    start.wait()
    began = time.perf_counter()
    verify_offline(encoded)
    elapsed.put(time.perf_counter() - began)


def receipts_per_s_all_cores(encoded: Sequence[bytes], processes: int) -> float:
    """Receipts/s with ``processes`` processes each verifying all of ``encoded``, started
    together: total receipts over the slowest process's wall time."""
    context = multiprocessing.get_context("fork")  # the children inherit ``encoded``
    start, elapsed = context.Barrier(processes + 1), context.Queue()
    workers = [
        context.Process(target=_verify_in_worker, args=(encoded, start, elapsed))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    slowest = max(float(elapsed.get()) for _ in workers)
    for worker in workers:
        worker.join()
    return processes * len(encoded) / slowest


def bench_receipts(count: int) -> dict[str, float]:
    """Offline receipt verification over a log of ``count`` leaves: CPU per receipt for
    canonical receipts (the fast path), for the same receipts with a trailing newline
    (not canonical: the fast path declines and the strict decoder reads them), the floor,
    and the rate with one process per core."""
    encoded = sample_receipts(count)
    not_canonical = [blob + b"\n" for blob in encoded]
    fast = cpu_per_item(lambda: verify_offline(encoded), len(encoded))
    strict = cpu_per_item(lambda: verify_offline(not_canonical), len(encoded))
    paths = [decode_receipt(blob).proof.path for blob in encoded]
    floor = cpu_per_item(lambda: receipt_floor(encoded, paths), len(encoded))
    one_process = len(encoded) / timed(lambda: verify_offline(encoded))
    return {
        "receipts_verified_offline_per_s": one_process,
        "receipt_fast_cpu_us": fast * 1e6,
        "receipt_strict_cpu_us": strict * 1e6,
        "receipt_floor_cpu_us": floor * 1e6,
        "receipts_processes": machine.cpus(),
        "receipts_verified_offline_all_cores_per_s": receipts_per_s_all_cores(
            encoded, machine.cpus()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    _, _, figures = bench_log(args.leaves)
    figures.update(bench_receipts(args.leaves))
    figures["append_vs_hash_floor"] = figures["append_per_s"] / figures["hash_floor_per_s"]
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"leaves": args.leaves, **figures, "load_average": load}))
        return
    print(f"proof core, log of {args.leaves:,} leaves")
    print(f"  append                      {figures['append_per_s']:>12,.0f} leaves/s  (≥ 500k)")
    print(
        f"  peer: bare SHA-256 floor    {figures['hash_floor_per_s']:>12,.0f} leaves/s  "
        f"(ratio {figures['append_vs_hash_floor']:.2f})"
    )
    print(f"  inclusion proofs generated  {figures['proofs_generated_per_s']:>12,.0f} /s")
    print(f"  inclusion proofs verified   {figures['proofs_verified_per_s']:>12,.0f} /s  (≥ 50k)")
    print_receipts(figures, load)


def print_receipts(figures: dict[str, float], load: tuple[float, float, float]) -> None:
    processes = int(figures["receipts_processes"])
    print(
        f"  receipts verified offline   {figures['receipts_verified_offline_per_s']:>12,.0f} /s  "
        "(decode + leaf hash + inclusion, one process)"
    )
    all_cores = figures["receipts_verified_offline_all_cores_per_s"]
    print(
        f"  ... one process per core    {all_cores:>12,.0f} /s  "
        f"({processes} processes; target ≥ 50,000)"
    )
    print(
        f"  CPU per receipt: canonical (fast path) {figures['receipt_fast_cpu_us']:.1f} µs, "
        f"not canonical (strict decoder) {figures['receipt_strict_cpu_us']:.1f} µs, "
        f"floor (json.loads + SHA-256 of one proof) {figures['receipt_floor_cpu_us']:.1f} µs"
    )
    print(
        f"  conditions                  {machine.cpus()} CPUs, load average "
        + " ".join(f"{value:.2f}" for value in load)
    )


if __name__ == "__main__":
    main()
