"""One corpus of forged and tampered verification inputs, for every verification surface.

From a genuine anchored receipt and its document (and, when the stack has them, genuine
receipts whose documents were revoked or superseded, and hashes of other real
transactions), ``forge`` generates every forgery issue #13 lists:

- ``field``     every receipt field changed (each scalar changed in each meaningful way,
                each field removed, an unknown field added to each object, proof path
                nodes changed, dropped, added and reordered);
- ``bit``       every bit of the canonical receipt bytes flipped (the full set; a flip
                that decodes to the very same receipt, e.g. version ``1.0`` -> ``1.1``, is
                no forgery and is left out);
- ``document``  the document with one byte changed (first, middle, last), or empty;
- ``issuer``    another issuer's receipt: the leaf re-issued under another address with
                a self-consistent one-leaf proof and the genuine anchor;
- ``chain``     another chain id;
- ``status``    genuine receipts of revoked and superseded documents;
- ``unknown``   a receipt for a document nobody notarised (self-consistent proof,
                genuine anchor), and the genuine receipt with a document nobody notarised;
- ``tx``        the anchor naming other real transactions;
- ``version``   unknown major versions.

Each case carries its expected verdict, never ``valid``.  Cases are plain bytes (the
receipt file and the document), so any surface can take them: the core and the SDK
(decode + verify), the CLI (files on disk), ``POST /v1/verify`` (the parsed receipt
object and the document's digest: a receipt the API refuses to decode counts as
``not_valid``), and the web page (upload both files, read ``#verdict[data-verdict]``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govchain_core.digest import digest_bytes
from govchain_core.errors import ReceiptError
from govchain_core.jcs import canonicalize
from govchain_core.leaf import leaf_from_object
from govchain_core.receipt_codec import decode_receipt
from govchain_core.verify import ChainReader, verify_receipt

NOT_VALID = "not_valid"
COULD_NOT_CHECK = "could_not_check"
OTHER_ADDRESS = "0x" + "5e" * 20
KINDS = ("certificate", "register", "iot", "dataset")


@dataclass(frozen=True, slots=True)
class Case:
    """One verification input and the verdict every surface must give."""

    name: str
    category: str
    receipt: bytes  # the receipt file's bytes (may be undecodable on purpose)
    document: bytes
    expected: str = NOT_VALID
    field: str | None = None  # the receipt field changed (a bit flip's: whose bytes), if one

    def write(self, folder: Path, name: str = "dokument.pdf") -> tuple[Path, Path]:
        """The document and its receipt as files (``NAME`` and ``NAME.govchain.json``), as a
        user holds them: for the CLI and for the web page's file inputs."""
        document, receipt = folder / name, folder / f"{name}.govchain.json"
        document.write_bytes(self.document)
        receipt.write_bytes(self.receipt)
        return document, receipt

    def receipt_object(self) -> Any | None:
        """The receipt as JSON (for ``POST /v1/verify``), or None if it is not JSON."""
        try:
            return json.loads(self.receipt)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Genuine:
    """A genuine receipt (canonical bytes) and the document it proves."""

    receipt: bytes
    document: bytes


@dataclass(frozen=True, slots=True)
class Inputs:
    genuine: Genuine
    revoked: Genuine | None = None
    superseded: Genuine | None = None
    other_tx_hashes: Sequence[str] = ()
    other_issuers: Sequence[str] = field(default=(OTHER_ADDRESS,))


def forge(inputs: Inputs) -> list[Case]:
    """Every forgery of ``inputs.genuine``; names are unique."""
    cases = [
        *field_cases(inputs.genuine),
        *bit_cases(inputs.genuine),
        *document_cases(inputs.genuine),
        *issuer_cases(inputs.genuine, inputs.other_issuers),
        *chain_cases(inputs.genuine),
        *status_cases(inputs),
        *unknown_document_cases(inputs.genuine),
        *tx_cases(inputs.genuine, inputs.other_tx_hashes),
        *version_cases(inputs.genuine),
    ]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def sample(cases: Sequence[Case], per_category: int, bits: int) -> list[Case]:
    """A bounded, deterministic subset for slow surfaces: every non-bit case up to
    ``per_category`` per category, and every ``len/bits``-th bit flip."""
    chosen: list[Case] = []
    counts: dict[str, int] = {}
    bit_cases_ = [c for c in cases if c.category == "bit"]
    step = max(1, len(bit_cases_) // bits) if bits else 0
    for case in cases:
        if case.category == "bit":
            continue
        counts[case.category] = counts.get(case.category, 0) + 1
        if counts[case.category] <= per_category:
            chosen.append(case)
    if step:
        chosen.extend(bit_cases_[::step][:bits])
    return chosen


def byte_fields(receipt: bytes) -> list[str]:
    """For each byte of a canonical receipt, the JSON pointer of the innermost member it
    belongs to (a member's key, colon and value are the member's; brackets and commas are
    their container's, ``""`` for the top level)."""
    obj = json.loads(receipt)
    owners: list[str] = []

    def emit(text: str, pointer: str) -> None:
        owners.extend([pointer] * len(text.encode()))

    def walk(value: Any, pointer: str) -> None:
        if isinstance(value, dict):
            emit("{", pointer)
            for n, key in enumerate(sorted(value)):
                emit("," if n else "", pointer)
                emit(json.dumps(key, ensure_ascii=False) + ":", f"{pointer}/{key}")
                walk(value[key], f"{pointer}/{key}")
            emit("}", pointer)
        elif isinstance(value, list):
            emit("[", pointer)
            for n, item in enumerate(value):
                emit("," if n else "", pointer)
                walk(item, f"{pointer}/{n}")
            emit("]", pointer)
        else:
            emit(_encode(value).decode(), pointer)

    walk(obj, "")
    assert len(owners) == len(receipt), "the receipt must be in canonical form"
    return owners


def stratified_bits(cases: Sequence[Case], total: int, seed: int) -> list[Case]:
    """A seeded sample of ``total`` bit flips (fewer if there are not so many) with at
    least one flip in the bytes of every member of the receipt (the flip's ``field``),
    the rest drawn evenly at random."""
    strata: dict[str, list[Case]] = {}
    for case in cases:
        if case.category == "bit":
            strata.setdefault(str(case.field), []).append(case)
    rng = random.Random(seed)
    chosen = [rng.choice(flips) for _, flips in sorted(strata.items())]
    picked = {c.name for c in chosen}
    rest = [c for _, flips in sorted(strata.items()) for c in flips if c.name not in picked]
    chosen += rng.sample(rest, max(0, min(len(rest), total - len(chosen))))
    return chosen


# ------------------------------------------------------------------ helpers


def _encode(obj: Any) -> bytes:
    return canonicalize(obj)


def _same_receipt(data: bytes, genuine: bytes) -> bool:
    try:
        return decode_receipt(data) == decode_receipt(genuine)
    except ReceiptError:
        return False


def _pointers(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every member of ``value`` (depth first) as ``(JSON pointer, value)``."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _pointers(value[key], f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _pointers(item, f"{pointer}/{i}")
    yield pointer, value


def _set(obj: Any, pointer: str, value: Any) -> Any:
    out = copy.deepcopy(obj)
    *parents, last = pointer.split("/")[1:]
    target = out
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out


def _delete(obj: Any, pointer: str) -> Any:
    out = copy.deepcopy(obj)
    *parents, last = pointer.split("/")[1:]
    target = out
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        del target[int(last)]
    else:
        del target[last]
    return out


def _flip_hex(text: str, position: int) -> str:
    digit = text[position]
    other = "0" if digit != "0" else "1"
    return text[:position] + other + text[position + 1 :]


def _alternatives(pointer: str, value: Any) -> list[tuple[str, Any]]:
    """Meaningful changes of one scalar: ``(label, new value)``."""
    if isinstance(value, bool) or value is None:
        return [("other", not value)]
    if isinstance(value, int):
        changes = [("plus1", value + 1), ("plus1000", value + 1000)]
        if value > 0:
            changes.append(("minus1", value - 1))
        return changes
    if not isinstance(value, str):
        return []
    if pointer == "/leaf/kind":
        return [(f"kind-{k}", k) for k in KINDS if k != value]
    if pointer == "/version":
        return [("2.0", "2.0"), ("0.9", "0.9")]
    if pointer in ("/type", "/proof/algorithm"):
        return [("other", value + "-x")]
    hex_start = value.find(":") + 1 if value.startswith("sha256:") else 2 * value.startswith("0x")
    if len(value) > hex_start:
        return [
            ("first-digit", _flip_hex(value, hex_start)),
            ("last-digit", _flip_hex(value, len(value) - 1)),
        ]
    return [("other", value + "x")]


def _case(name: str, category: str, obj: Any, genuine: Genuine, pointer: str | None) -> Case:
    return Case(name, category, _encode(obj), genuine.document, field=pointer)


# ------------------------------------------------------------------ categories


def field_cases(genuine: Genuine) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    for pointer, value in list(_pointers(obj)):
        if pointer == "":
            continue
        for label, new in _alternatives(pointer, value):
            yield _case(
                f"field {pointer} {label}", "field", _set(obj, pointer, new), genuine, pointer
            )
        if not pointer.startswith("/proof/path/"):
            yield _case(
                f"field {pointer} removed", "field", _delete(obj, pointer), genuine, pointer
            )
        if isinstance(value, dict):
            extra = _set(obj, f"{pointer}/zzz_extra", 1)
            yield _case(f"field {pointer} unknown member", "field", extra, genuine, pointer)
    yield from _path_cases(obj, genuine)


def _path_cases(obj: Any, genuine: Genuine) -> Iterator[Case]:
    path = obj["proof"]["path"]
    changes = {
        "extra node": [*path, "00" * 32],
        "empty": [],
    }
    if path:
        changes["last node dropped"] = path[:-1]
        changes["first node doubled"] = [path[0], *path]
    if len(path) > 1:
        changes["reversed"] = list(reversed(path))
    for label, new in changes.items():
        if new != path:
            yield _case(
                f"field /proof/path {label}",
                "field",
                _set(obj, "/proof/path", new),
                genuine,
                "/proof/path",
            )


def bit_cases(genuine: Genuine) -> Iterator[Case]:
    """Every bit of the canonical receipt flipped (the decoded-identical ones left out);
    ``field`` is the member whose bytes the flip is in (``byte_fields``)."""
    data = genuine.receipt
    owners = byte_fields(data)
    for i in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[i] ^= 1 << bit
            if _same_receipt(bytes(flipped), data):
                continue
            yield Case(f"bit {i}.{bit}", "bit", bytes(flipped), genuine.document, field=owners[i])


def document_cases(genuine: Genuine) -> Iterator[Case]:
    doc = genuine.document
    for label, position in (("first", 0), ("middle", len(doc) // 2), ("last", len(doc) - 1)):
        changed = bytearray(doc)
        changed[position] ^= 0x01
        yield Case(f"document {label} byte changed", "document", genuine.receipt, bytes(changed))
    yield Case("document empty", "document", genuine.receipt, b"")
    yield Case("document one byte appended", "document", genuine.receipt, doc + b"\n")


def _reissued(obj: Any, leaf: Mapping[str, Any]) -> Any:
    """The receipt with ``leaf`` as the only leaf of a log of size 1: the proof is
    self-consistent (inclusion passes), the anchor is the genuine one."""
    leaf_hash = leaf_from_object(dict(leaf)).leaf_hash()
    out = copy.deepcopy(obj)
    out["leaf"] = dict(leaf)
    out["proof"] = {**out["proof"], "index": 0, "tree_size": 1, "path": [], "root": leaf_hash.hex()}
    return out


def issuer_cases(genuine: Genuine, others: Sequence[str]) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    for address in others:
        leaf = {**obj["leaf"], "issuer": address.lower()}
        yield _case(
            f"issuer {address} re-issued", "issuer", _reissued(obj, leaf), genuine, "/leaf/issuer"
        )
        swapped = _set(obj, "/leaf/issuer", address.lower())
        yield _case(f"issuer {address} swapped", "issuer", swapped, genuine, "/leaf/issuer")
    same = _reissued(obj, obj["leaf"])
    if same != obj:
        yield _case("issuer own leaf in a forged log of size 1", "issuer", same, genuine, "/proof")


def chain_cases(genuine: Genuine) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    for chain_id in (1, 31337, 2**53 - 1):
        if chain_id != obj["anchor"]["chain_id"]:
            changed = _set(obj, "/anchor/chain_id", chain_id)
            yield _case(f"chain {chain_id}", "chain", changed, genuine, "/anchor/chain_id")


def status_cases(inputs: Inputs) -> Iterator[Case]:
    for label, pair in (("revoked", inputs.revoked), ("superseded", inputs.superseded)):
        if pair is not None:
            yield Case(f"status {label}", "status", pair.receipt, pair.document)


def unknown_document_cases(genuine: Genuine) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    document = b"a document nobody notarised"
    digest = "sha256:" + hashlib.sha256(document).hexdigest()
    forged = _reissued(obj, {**obj["leaf"], "digest": digest})
    yield Case("unknown document with a forged receipt", "unknown", _encode(forged), document)
    yield Case("unknown document with the genuine receipt", "unknown", genuine.receipt, document)


def tx_cases(genuine: Genuine, tx_hashes: Sequence[str]) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    for tx_hash in tx_hashes:
        if tx_hash != obj["anchor"]["tx_hash"]:
            changed = _set(obj, "/anchor/tx_hash", tx_hash)
            yield _case(f"tx other {tx_hash[:10]}", "tx", changed, genuine, "/anchor/tx_hash")


def version_cases(genuine: Genuine) -> Iterator[Case]:
    obj = json.loads(genuine.receipt)
    for version in ("2.0", "0.1", "10.0", "9999.0"):
        yield _case(
            f"version {version}", "version", {**obj, "version": version}, genuine, "/version"
        )


def core_verdict(case: Case, chain: ChainReader, now: Callable[[], float] = time.time) -> str:
    """The core verifier's verdict on one case (a receipt it cannot decode is not valid)."""
    try:
        receipt = decode_receipt(case.receipt)
    except ReceiptError:
        return NOT_VALID
    return str(verify_receipt(receipt, chain, digest_bytes(case.document), now=now).verdict)
