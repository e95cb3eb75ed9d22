"""Proof-core benchmark: ``python -m benchmarks.core_merkle [--leaves N]``.

Prints append rate, inclusion proof generation and verification rates for a log of
N leaves (default 1,000,000), and offline receipt verification (strict decode +
leaf hash + inclusion proof).  The peer, measured in the same run, is the bare
hashing floor: one SHA-256 per leaf and per node, with no log around it, so the
ratio shows what the log's bookkeeping costs on this machine today.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

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


def bench_receipts(count: int) -> float:
    """Offline verification rate of encoded receipts over a log of ``count`` leaves."""
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
    encoded = [
        encode_receipt(
            replace(
                blank,
                leaf=r,
                proof=InclusionProof(i, log.size, tuple(log.inclusion_proof(i)), log.root()),
            )
        )
        for i, r in enumerate(records)
    ]

    def verify_all() -> None:
        for blob in encoded:
            receipt = decode_receipt(blob)
            proof = receipt.proof
            verify_inclusion(
                proof.index, proof.tree_size, receipt.leaf_hash, proof.path, proof.root
            )

    return len(encoded) / timed(verify_all)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    _, _, figures = bench_log(args.leaves)
    figures["receipts_verified_offline_per_s"] = bench_receipts(args.leaves)
    figures["append_vs_hash_floor"] = figures["append_per_s"] / figures["hash_floor_per_s"]
    if args.json:
        print(json.dumps({"leaves": args.leaves, **figures}))
        return
    print(f"proof core, log of {args.leaves:,} leaves")
    print(f"  append                      {figures['append_per_s']:>12,.0f} leaves/s  (≥ 500k)")
    print(
        f"  peer: bare SHA-256 floor    {figures['hash_floor_per_s']:>12,.0f} leaves/s  "
        f"(ratio {figures['append_vs_hash_floor']:.2f})"
    )
    print(f"  inclusion proofs generated  {figures['proofs_generated_per_s']:>12,.0f} /s")
    print(f"  inclusion proofs verified   {figures['proofs_verified_per_s']:>12,.0f} /s  (≥ 50k)")
    print(
        f"  receipts verified offline   {figures['receipts_verified_offline_per_s']:>12,.0f} /s  "
        "(decode + leaf hash + inclusion; target ≥ 50,000)"
    )


if __name__ == "__main__":
    main()
