"""Write the shared test vectors (``python tests/vectors/generate.py``).

The vectors are the contract between every implementation of the formats: the
Python core, the Solidity AnchorRegistry and the browser verifier all load these
files.  ``merkle-ct.json`` is hand-entered from the published Certificate
Transparency test data and is not generated; the other files are derived from it
and from fixed inputs with the core, and ``tests/unit/core/test_vectors.py`` checks
that the committed files are what this script writes today.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from govchain_core.digest import digest_bytes
from govchain_core.leaf import LeafRecord, description_meta
from govchain_core.log import MerkleLog
from govchain_core.merkle import leaf_hash
from govchain_core.receipt import AnchorRef, InclusionProof, Receipt
from govchain_core.receipt_codec import receipt_to_object

HERE = Path(__file__).parent
ISSUER = "0x" + "11" * 20
REGISTRY = "0x" + "a5" * 20
CHAIN_ID = 1337


def ct_leaves() -> list[bytes]:
    data = json.loads((HERE / "merkle-ct.json").read_text())
    return [bytes.fromhex(x) for x in data["leaves"]]


def synthetic_leaves(count: int) -> list[bytes]:
    """Leaf hashes of the byte strings ``i.to_bytes(4, "big")`` for i < count."""
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


def build_log(leaves: list[bytes]) -> MerkleLog:
    log = MerkleLog()
    log.append_many(leaves)
    return log


def flip(value: bytes, byte: int = 0, bit: int = 3) -> bytes:
    changed = bytearray(value)
    changed[byte] ^= 1 << bit
    return bytes(changed)


def consistency_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for label, leaves in (
        ("ct", [leaf_hash(x) for x in ct_leaves()]),
        ("gen", synthetic_leaves(70)),
    ):
        log = build_log(leaves)
        pairs = [(m, n) for n in range(1, log.size + 1) for m in range(0, n + 1)]
        if label == "gen":
            pairs = [(m, n) for m, n in pairs if n in (13, 32, 33, 64, 70) or m in (1, 7, 32)]
        for m, n in pairs:
            proof = log.consistency_proof(m, n)
            case = {
                "name": f"{label} {m}->{n}",
                "old_size": m,
                "new_size": n,
                "old_root": log.root(m).hex(),
                "new_root": log.root(n).hex(),
                "proof": [p.hex() for p in proof],
                "valid": True,
            }
            cases.append(case)
            if label == "ct" and n == 8 and m in (1, 2, 3, 6):
                cases.extend(bad_consistency(case))
    return cases


def bad_consistency(case: dict[str, Any]) -> list[dict[str, Any]]:
    proof = [bytes.fromhex(p) for p in case["proof"]]
    bad: list[dict[str, Any]] = []

    def add(name: str, **changes: Any) -> None:
        bad.append({**case, **changes, "name": f"{case['name']} {name}", "valid": False})

    add("old_size-1", old_size=case["old_size"] - 1)
    add("old_size+1", old_size=case["old_size"] + 1)
    add("new_size*2", new_size=case["new_size"] * 2)
    add("swapped roots", old_root=case["new_root"], new_root=case["old_root"])
    add("empty proof", proof=[])
    add("truncated", proof=[p.hex() for p in proof[:-1]])
    add("extended", proof=[p.hex() for p in proof] + [case["old_root"]])
    for i in range(len(proof)):
        tampered = [p.hex() for p in proof]
        tampered[i] = flip(proof[i], bit=4).hex()
        add(f"proof[{i}] bit flip", proof=tampered)
    add("old root bit flip", old_root=flip(bytes.fromhex(case["old_root"])).hex())
    add("new root bit flip", new_root=flip(bytes.fromhex(case["new_root"])).hex())
    return bad


def inclusion_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    leaves = synthetic_leaves(70)
    log = build_log(leaves)
    for n in (1, 2, 3, 5, 7, 8, 13, 32, 33, 70):
        for i in sorted({0, 1, n // 2, n - 2, n - 1} - {-1}):
            if not 0 <= i < n:
                continue
            cases.append(
                {
                    "name": f"gen {i} of {n}",
                    "index": i,
                    "tree_size": n,
                    "leaf_hash": leaves[i].hex(),
                    "path": [p.hex() for p in log.inclusion_proof(i, n)],
                    "root": log.root(n).hex(),
                    "valid": True,
                }
            )
    base = cases[-2]
    path = [bytes.fromhex(p) for p in base["path"]]
    for name, change in (
        ("index+1", {"index": base["index"] + 1}),
        ("size-1", {"tree_size": base["tree_size"] - 1}),
        ("leaf bit flip", {"leaf_hash": flip(bytes.fromhex(base["leaf_hash"])).hex()}),
        ("root bit flip", {"root": flip(bytes.fromhex(base["root"])).hex()}),
        ("path[0] bit flip", {"path": [flip(path[0]).hex(), *base["path"][1:]]}),
        ("path truncated", {"path": base["path"][:-1]}),
        ("path extended", {"path": [*base["path"], base["root"]]}),
        ("index beyond size", {"index": base["tree_size"]}),
    ):
        cases.append({**base, **change, "name": f"{base['name']} {name}", "valid": False})
    return cases


def sample_receipt() -> tuple[Receipt, list[bytes]]:
    """A receipt for the 6th of 7 certificates, anchored at block 42."""
    documents = [f"certificate {i}\n".encode() for i in range(7)]
    leaves = [
        LeafRecord(
            kind="certificate",
            digest=digest_bytes(doc),
            salt=bytes([i]) * 16,
            issuer=ISSUER,
        )
        for i, doc in enumerate(documents)
    ]
    log = build_log([leaf.leaf_hash() for leaf in leaves])
    index = 5
    receipt = Receipt(
        leaf=leaves[index],
        proof=InclusionProof(
            index=index,
            tree_size=log.size,
            path=tuple(log.inclusion_proof(index)),
            root=log.root(),
        ),
        anchor=AnchorRef(
            chain_id=CHAIN_ID,
            registry=REGISTRY,
            tx_hash=bytes.fromhex("ab" * 32),
            block_number=42,
            block_hash=bytes.fromhex("cd" * 32),
            timestamp=1_790_000_000,
        ),
    )
    return receipt, documents


def receipt_cases() -> dict[str, Any]:
    receipt, documents = sample_receipt()
    good = receipt_to_object(receipt)
    text = json.dumps(good, sort_keys=True)

    def variant(path: list[str], value: Any) -> str:
        obj = json.loads(text)
        target = obj
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return json.dumps(obj, sort_keys=True)

    invalid = [
        ("not json", "{", "ReceiptSyntaxError"),
        ("trailing data", text + " {}", "ReceiptSyntaxError"),
        ("duplicate key", text[:-1] + ', "type": "govchain-receipt"}', "ReceiptSyntaxError"),
        ("array at top", "[" + text + "]", "ReceiptFieldError"),
        ("unknown major version", variant(["version"], "2.0"), "ReceiptVersionError"),
        ("version not a string", variant(["version"], 1), "ReceiptFieldError"),
        ("unknown field in 1.0", variant(["extra"], True), "ReceiptFieldError"),
        ("missing proof", variant(["proof"], _DELETE), "ReceiptFieldError"),
        ("index beyond tree size", variant(["proof", "index"], 7), "ReceiptFieldError"),
        ("negative index", variant(["proof", "index"], -1), "ReceiptFieldError"),
        ("float index", variant(["proof", "index"], 5.0), "ReceiptFieldError"),
        ("short root", variant(["proof", "root"], "ab" * 31), "ReceiptFieldError"),
        (
            "upper-case root",
            variant(["proof", "root"], good["proof"]["root"].upper()),
            "ReceiptFieldError",
        ),
        ("tx hash without 0x", variant(["anchor", "tx_hash"], "ab" * 32), "ReceiptFieldError"),
        ("unknown algorithm", variant(["proof", "algorithm"], "sha1"), "ReceiptFieldError"),
        ("bad digest", variant(["leaf", "digest"], "sha256:xyz"), "ReceiptFieldError"),
        ("unknown kind", variant(["leaf", "kind"], "passport"), "ReceiptFieldError"),
        ("NaN", text.replace('"block_number": 42', '"block_number": NaN'), "ReceiptSyntaxError"),
        ("oversize", text + " " * 70_000, "ReceiptSizeError"),
    ]
    tampered = [
        ("leaf salt changed (inclusion fails)", variant(["leaf", "salt"], "ff" * 16), "inclusion"),
        (
            "path node changed (inclusion fails)",
            variant(["proof", "path"], ["00" * 32, *good["proof"]["path"][1:]]),
            "inclusion",
        ),
    ]
    return {
        "document": documents[5].decode(),
        "document_digest": str(receipt.leaf.digest),
        "leaf_canonical": receipt.leaf.canonical_bytes().decode(),
        "leaf_hash": receipt.leaf_hash.hex(),
        "valid": [{"name": "certificate 5 of 7", "receipt": good}],
        "invalid": [{"name": n, "text": t, "error": e} for n, t, e in invalid],
        "tampered": [{"name": n, "text": t, "failing_step": s} for n, t, s in tampered],
    }


_DELETE = object()


def description_cases() -> list[dict[str, Any]]:
    """An issuer's public description and the leaf ``meta`` binding it (sha256 of its
    RFC 8785 bytes): escaping, non-ASCII key order, the 100-character bound in astral
    characters (200 UTF-16 units, the page's caption limit), a reference alone."""
    nonce = "0123456789abcdef" * 2
    descriptions = [
        ("plain", {"title": "Meldebescheinigung", "reference": "AZ 33-2026/0815", "nonce": nonce}),
        ("escaping", {"title": 'Zeugnis "Abitur" \\ 2026', "reference": "Ä-17/ß", "nonce": nonce}),
        ("reference only", {"reference": "F-2026-000017", "nonce": "f" * 32}),
        ("astral at the bound", {"title": "\U0001f4c4" * 100, "reference": "", "nonce": nonce}),
    ]
    return [
        {"name": name, "description": value, "meta": str(description_meta(value))}
        for name, value in descriptions
    ]


def generated() -> dict[str, Any]:
    return {
        "consistency.json": {"cases": consistency_cases()},
        "inclusion.json": {"cases": inclusion_cases()},
        "receipts.json": receipt_cases(),
        "descriptions.json": {"cases": description_cases()},
    }


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True) + "\n"


def main() -> int:
    for name, value in generated().items():
        (HERE / name).write_text(dump(value))
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
