"""Strict, bounded JSON encoding of receipts v1 (``*.govchain.json``).

The decoder is the first thing an untrusted file meets, so it refuses rather than
guesses: a size limit before parsing, one JSON object and nothing after it,
duplicate keys rejected, NaN/Infinity rejected, integers range-checked, every hash
of exact length.  Versions are ``"MAJOR.MINOR"``: an unknown major is refused with
``ReceiptVersionError``; within major 1 a higher minor may add fields, which are
ignored, while a 1.0 receipt with unknown fields is refused.  Every failure is a
``ReceiptError`` subclass naming the offending field as a JSON pointer.

The encoder writes RFC 8785 canonical JSON, so a receipt has exactly one byte form.
Receipts in exactly that form (as the notary writes them) take a fast path: one
regular expression that matches only canonical bytes the strict decoder accepts, and
builds the same ``Receipt``; anything it does not match goes to the strict decoder,
so every refusal and its error are the strict decoder's (see ``_decode_canonical``).
"""

from __future__ import annotations

import json
import re
from binascii import unhexlify
from collections.abc import Mapping
from typing import Any

from govchain_core.bounded_json import STRICT_DECODER, nesting_depth_exceeds
from govchain_core.digest import SHA256, Digest
from govchain_core.errors import (
    CoreError,
    ReceiptError,
    ReceiptFieldError,
    ReceiptSizeError,
    ReceiptSyntaxError,
    ReceiptVersionError,
)
from govchain_core.jcs import MAX_SAFE_INTEGER, canonicalize
from govchain_core.leaf import LeafRecord, leaf_from_object
from govchain_core.merkle import HASH_SIZE, MAX_PROOF_LENGTH, leaf_hash
from govchain_core.receipt import (
    PROOF_ALGORITHM,
    RECEIPT_TYPE,
    RECEIPT_VERSION,
    AnchorRef,
    InclusionProof,
    Receipt,
)

MAX_RECEIPT_BYTES = 64 * 1024
MAX_DEPTH = 16  # a receipt nests 3 levels; the limit keeps the C parser's stack bounded
KNOWN_MAJOR = 1
KNOWN_MINOR = 0

_VERSION_RE = re.compile(r"\A(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\Z")
_HASH_RE = re.compile(r"\A[0-9a-f]{64}\Z")
_HEX_RE = re.compile(r"\A[0-9a-f]*\Z")
_ADDRESS_RE = re.compile(r"\A0x[0-9a-f]{40}\Z")
_TOP_FIELDS = frozenset({"type", "version", "leaf", "proof", "anchor"})
_PROOF_FIELDS = frozenset({"algorithm", "index", "tree_size", "path", "root"})
_ANCHOR_FIELDS = frozenset(
    {"chain_id", "registry", "tx_hash", "block_number", "block_hash", "timestamp"}
)


# --------------------------------------------------------------------------- encoding


def receipt_to_object(receipt: Receipt) -> dict[str, Any]:
    proof, anchor = receipt.proof, receipt.anchor
    return {
        "type": RECEIPT_TYPE,
        "version": RECEIPT_VERSION,
        "leaf": receipt.leaf.to_object(),
        "proof": {
            "algorithm": PROOF_ALGORITHM,
            "index": proof.index,
            "tree_size": proof.tree_size,
            "path": [node.hex() for node in proof.path],
            "root": proof.root.hex(),
        },
        "anchor": {
            "chain_id": anchor.chain_id,
            "registry": anchor.registry,
            "tx_hash": "0x" + anchor.tx_hash.hex(),
            "block_number": anchor.block_number,
            "block_hash": "0x" + anchor.block_hash.hex(),
            "timestamp": anchor.timestamp,
        },
    }


def encode_receipt(receipt: Receipt) -> bytes:
    """The canonical (RFC 8785) bytes of a receipt."""
    return canonicalize(receipt_to_object(receipt))


# --------------------------------------------------------------------------- decoding


def decode_receipt(data: bytes | str) -> Receipt:
    """Decode a receipt file strictly; raise a ``ReceiptError`` subclass on any fault."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if not isinstance(raw, bytes | bytearray):
        raise ReceiptSyntaxError("receipt must be bytes or text")
    if len(raw) > MAX_RECEIPT_BYTES:
        raise ReceiptSizeError(f"receipt is {len(raw)} bytes, more than {MAX_RECEIPT_BYTES}")
    raw = bytes(raw)
    receipt = _decode_canonical(raw)
    return receipt if receipt is not None else receipt_from_object(_parse_json(raw))


def _parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not UTF-8 (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")
    _check_depth(raw)
    try:
        value, end = STRICT_DECODER.raw_decode(text, _skip_space(text, 0))
    except json.JSONDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not valid JSON: {exc.msg} at {exc.pos}") from None
    except RecursionError:
        raise ReceiptSyntaxError("receipt JSON is nested too deeply") from None
    except ValueError as exc:  # duplicate keys, NaN/Infinity, an over-long integer literal
        raise ReceiptSyntaxError(f"receipt is not acceptable JSON: {exc}") from None
    if _skip_space(text, end) != len(text):
        raise ReceiptSyntaxError(f"trailing data after the receipt object at {end}")
    return value


def _check_depth(raw: bytes) -> None:
    """Refuse deep nesting before parsing (see ``govchain_core.bounded_json``)."""
    if nesting_depth_exceeds(raw, MAX_DEPTH):
        raise ReceiptSyntaxError(f"receipt JSON nests deeper than {MAX_DEPTH}")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def receipt_from_object(obj: Any) -> Receipt:
    """Decode an already parsed JSON value strictly."""
    top = _object(obj, "")
    if top.get("type") != RECEIPT_TYPE:
        raise ReceiptFieldError("/type", f"must be {RECEIPT_TYPE!r}")
    minor = _version(top)
    _fields(top, "", _TOP_FIELDS, strict=minor <= KNOWN_MINOR)
    try:
        leaf = leaf_from_object(top["leaf"], "/leaf")
    except CoreError as exc:
        raise ReceiptFieldError("/leaf", str(exc)) from None
    proof = _proof(_object(top["proof"], "/proof"), strict=minor <= KNOWN_MINOR)
    anchor = _anchor(_object(top["anchor"], "/anchor"), strict=minor <= KNOWN_MINOR)
    return Receipt(leaf=leaf, proof=proof, anchor=anchor)


def _version(top: Mapping[str, Any]) -> int:
    version = top.get("version")
    if not isinstance(version, str) or not (match := _VERSION_RE.match(version)):
        raise ReceiptFieldError("/version", "must be a 'MAJOR.MINOR' string")
    major, minor = int(match.group(1)), int(match.group(2))
    if major != KNOWN_MAJOR:
        raise ReceiptVersionError(
            f"receipt version {version} is not supported (this verifier reads {KNOWN_MAJOR}.x)"
        )
    return minor


def _proof(obj: Mapping[str, Any], strict: bool) -> InclusionProof:
    _fields(obj, "/proof", _PROOF_FIELDS, strict)
    if obj["algorithm"] != PROOF_ALGORITHM:
        raise ReceiptFieldError("/proof/algorithm", f"must be {PROOF_ALGORITHM!r}")
    tree_size = _integer(obj, "/proof", "tree_size", minimum=1)
    index = _integer(obj, "/proof", "index", minimum=0)
    if index >= tree_size:
        raise ReceiptFieldError("/proof/index", "must be smaller than tree_size")
    path = obj["path"]
    if not isinstance(path, list) or len(path) > MAX_PROOF_LENGTH:
        raise ReceiptFieldError("/proof/path", f"must be a list of at most {MAX_PROOF_LENGTH}")
    return InclusionProof(
        index=index,
        tree_size=tree_size,
        path=_path(path),
        root=_hash(obj["root"], "/proof/root", prefix=""),
    )


def _path(path: list[Any]) -> tuple[bytes, ...]:
    """The proof's sibling hashes. Well-formed paths are checked and converted in one
    pass over the joined digits; anything else goes node by node for a precise pointer."""
    width = 2 * HASH_SIZE
    if all(type(node) is str and len(node) == width for node in path):
        joined = "".join(path)
        if _HEX_RE.match(joined):
            raw = bytes.fromhex(joined)
            return tuple(raw[i : i + HASH_SIZE] for i in range(0, len(raw), HASH_SIZE))
    return tuple(_hash(node, f"/proof/path/{i}", prefix="") for i, node in enumerate(path))


def _anchor(obj: Mapping[str, Any], strict: bool) -> AnchorRef:
    _fields(obj, "/anchor", _ANCHOR_FIELDS, strict)
    registry = obj["registry"]
    if not isinstance(registry, str) or not _ADDRESS_RE.match(registry):
        raise ReceiptFieldError("/anchor/registry", "must be a lower-case 0x-hex address")
    return AnchorRef(
        chain_id=_integer(obj, "/anchor", "chain_id", minimum=1),
        registry=registry,
        tx_hash=_hash(obj["tx_hash"], "/anchor/tx_hash", prefix="0x"),
        block_number=_integer(obj, "/anchor", "block_number", minimum=0),
        block_hash=_hash(obj["block_hash"], "/anchor/block_hash", prefix="0x"),
        timestamp=_integer(obj, "/anchor", "timestamp", minimum=0),
    )


def _object(value: Any, pointer: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ReceiptFieldError(pointer or "/", "must be a JSON object")
    return value


def _fields(obj: Mapping[str, Any], pointer: str, known: frozenset[str], strict: bool) -> None:
    missing = sorted(known - obj.keys())
    if missing:
        raise ReceiptFieldError(f"{pointer}/{missing[0]}", "is missing")
    unknown = sorted(obj.keys() - known)
    if strict and unknown:
        raise ReceiptFieldError(f"{pointer}/{unknown[0]}", "is not a field of receipt v1.0")


def _integer(obj: Mapping[str, Any], pointer: str, name: str, minimum: int) -> int:
    value = obj[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReceiptFieldError(f"{pointer}/{name}", "must be an integer")
    if not minimum <= value <= MAX_SAFE_INTEGER:
        raise ReceiptFieldError(f"{pointer}/{name}", f"must be within {minimum}..2^53-1")
    return value


def _hash(value: Any, pointer: str, prefix: str) -> bytes:
    if not isinstance(value, str) or not value.startswith(prefix):
        raise ReceiptFieldError(
            pointer, f"must be a {prefix}-prefixed hex string" if prefix else "must be a hex string"
        )
    digits = value[len(prefix) :]
    if not _HASH_RE.match(digits):
        raise ReceiptFieldError(pointer, f"must be {2 * HASH_SIZE} lower-case hex digits")
    return bytes.fromhex(digits)


# --------------------------------------------------------------------------- canonical path
#
# A receipt exactly as ``encode_receipt`` writes it (RFC 8785) is read by one regular
# expression over its bytes instead of the JSON parser and ``receipt_from_object``.
# The pattern admits only a subset of what the strict decoder accepts: members in
# canonical order and each once, no whitespace, no string escapes (every string is
# drawn from characters JSON never escapes), hex of exact length in lower case,
# integers without sign, leading zero, fraction or exponent, version exactly "1.0",
# the leaf's optional members in their canonical places, nothing before or after.
# What the pattern cannot check (integer ranges, index below tree_size; device and
# seq together, left to LeafRecord) declines, and the strict decoder then gives its
# own answer.  The leaf object is matched in the very form
# ``LeafRecord.canonical_bytes`` writes, so its slice of the input is hashed as it
# stands.  Both claims (the strict decoder's Receipt, the slice equal to the
# canonical bytes) are held by tests/unit/core/test_receipt_codec_canonical.py over
# generated, mutated and forged receipts; the literals below (128, 32 hex, 63, the
# kinds, the algorithm) follow leaf.py, merkle.py and receipt.py, and those tests
# fail if they drift apart.

_CANONICAL_RECEIPT = re.compile(
    rb"""
    \{"anchor":\{
        "block_hash":"0x([0-9a-f]{64})",
        "block_number":(0|[1-9][0-9]{0,15}),
        "chain_id":(0|[1-9][0-9]{0,15}),
        "registry":"(0x[0-9a-f]{40})",
        "timestamp":(0|[1-9][0-9]{0,15}),
        "tx_hash":"0x([0-9a-f]{64})"
    \},
    "leaf":(\{
        (?:"device":"([\x21\x23-\x5b\x5d-\x7e]{1,128})",)?
        "digest":"sha256:([0-9a-f]{64})",
        "issuer":"(0x[0-9a-f]{40})",
        "kind":"(certificate|register|iot|dataset)",
        (?:"meta":"sha256:([0-9a-f]{64})",)?
        "salt":"([0-9a-f]{32})",
        (?:"seq":(0|[1-9][0-9]{0,15}),)?
        (?:"supersedes":"([0-9a-f]{64})",)?
        "v":1
    \}),
    "proof":\{
        "algorithm":"rfc9162-sha256",
        "index":(0|[1-9][0-9]{0,15}),
        "path":\[((?:"[0-9a-f]{64}"(?:,"[0-9a-f]{64}"){0,63})?)\],
        "root":"([0-9a-f]{64})",
        "tree_size":(0|[1-9][0-9]{0,15})
    \},
    "type":"govchain-receipt",
    "version":"1\.0"
    \}
    """,
    re.VERBOSE,
)


def _decode_canonical(raw: bytes) -> Receipt | None:
    """The receipt if ``raw`` is a canonical receipt v1.0 within range, else None."""
    match = _CANONICAL_RECEIPT.fullmatch(raw)
    if match is None:
        return None
    groups = match.groups()
    (block_hash, block_number, chain_id, registry, timestamp, tx_hash) = groups[:6]
    (index, path, root, tree_size) = groups[15:]
    numbers = map(int, (chain_id, block_number, timestamp, index, tree_size))
    chain, block, stamp, position, size = numbers
    if max(chain, block, stamp, size) > MAX_SAFE_INTEGER or chain == 0 or position >= size:
        return None
    leaf = _canonical_leaf(groups[6:15])
    if leaf is None:
        return None
    nodes = tuple(map(unhexlify, path[1:-1].split(b'","'))) if path else ()
    return Receipt(
        leaf=leaf,
        proof=InclusionProof(position, size, nodes, unhexlify(root)),
        anchor=AnchorRef(
            chain, registry.decode("ascii"), unhexlify(tx_hash), block, unhexlify(block_hash), stamp
        ),
    )


def _canonical_leaf(groups: tuple[Any, ...]) -> LeafRecord | None:
    """The leaf of a matched canonical receipt (its leaf groups: bytes, None for an absent
    optional member), its hash taken from the input's slice."""
    (canonical, device, digest, issuer, kind, meta, salt, seq, supersedes) = groups
    try:  # LeafRecord refuses seq out of range, or device without seq: strict decides
        leaf = LeafRecord(
            kind.decode("ascii"),
            Digest(SHA256, unhexlify(digest)),
            unhexlify(salt),
            issuer.decode("ascii"),
            None if meta is None else Digest(SHA256, unhexlify(meta)),
            None if device is None else device.decode("ascii"),
            None if seq is None else int(seq),
            None if supersedes is None else unhexlify(supersedes),
        )
    except CoreError:
        return None
    object.__setattr__(leaf, "_leaf_hash", leaf_hash(canonical))
    return leaf


__all__ = [
    "MAX_RECEIPT_BYTES",
    "ReceiptError",
    "decode_receipt",
    "encode_receipt",
    "receipt_from_object",
    "receipt_to_object",
]
