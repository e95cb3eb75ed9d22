"""The receipt decoder's canonical fast path against its strict decoder.

The fast path may decline anything; when it accepts, it must give the strict decoder's
Receipt, and the leaf hash it took from the input's bytes must be the hash of the
leaf's canonical form.  Every input here goes through ``assert_same_as_strict``:
receipts generated over the whole format, canonical receipts mutated byte by byte,
and the shared forged-receipt corpus and vectors.  The last tests loosen the pattern
on purpose and check that these checks then fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_core import receipt_codec
from govchain_core.digest import SHA256, Digest
from govchain_core.errors import ReceiptError, ReceiptFieldError
from govchain_core.jcs import MAX_SAFE_INTEGER, canonicalize
from govchain_core.leaf import KINDS, MAX_DEVICE_LENGTH, SALT_SIZE, LeafRecord
from govchain_core.merkle import HASH_SIZE, MAX_PROOF_LENGTH, leaf_hash
from govchain_core.receipt import AnchorRef, InclusionProof, Receipt
from govchain_core.receipt_codec import (
    _decode_canonical,
    decode_receipt,
    encode_receipt,
    receipt_from_object,
)
from tests.conftest import load_vectors
from tests.support.forged_receipts import Genuine, Inputs, forge

VECTORS = load_vectors("receipts.json")
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))
#: outcome of a decode: the receipt, or the error's class and (for field errors) pointer
Outcome = Receipt | tuple[type[Exception], str | None]


def decode_strictly(data: bytes | str) -> Receipt:
    """``decode_receipt`` with the fast path switched off: the strict decoder alone."""
    with mock.patch.object(receipt_codec, "_decode_canonical", return_value=None):
        return decode_receipt(data)


def outcome(decode: Callable[[bytes], Receipt], data: bytes) -> Outcome:
    try:
        return decode(data)
    except ReceiptError as exc:
        return type(exc), exc.field if isinstance(exc, ReceiptFieldError) else None


def assert_same_as_strict(data: bytes) -> Receipt | None:
    """The fast path declines ``data`` or gives exactly the strict decoder's receipt and
    leaf hash; ``decode_receipt`` gives the strict decoder's outcome either way.  Returns
    what the fast path gave."""
    strict = outcome(decode_strictly, data)
    fast = _decode_canonical(data)
    if fast is not None:
        assert isinstance(strict, Receipt), (data, strict)
        assert fast == strict, data
        assert fast.leaf.leaf_hash() == leaf_hash(strict.leaf.canonical_bytes()), data
    assert outcome(decode_receipt, data) == strict
    return fast


# ------------------------------------------------------------------ generated receipts

hashes = st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE)
addresses = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
safe_integers = st.integers(0, MAX_SAFE_INTEGER) | st.sampled_from([0, 1, MAX_SAFE_INTEGER])
digests = hashes.map(lambda value: Digest(SHA256, value))


@st.composite
def leaves(draw: st.DrawFn) -> LeafRecord:
    device = draw(st.none() | st.text(PRINTABLE, min_size=1, max_size=MAX_DEVICE_LENGTH))
    return LeafRecord(
        kind=draw(st.sampled_from(KINDS)),
        digest=draw(digests),
        salt=draw(st.binary(min_size=SALT_SIZE, max_size=SALT_SIZE)),
        issuer=draw(addresses),
        meta=draw(st.none() | digests),
        device=device,
        seq=None if device is None else draw(safe_integers),
        supersedes=draw(st.none() | hashes),
    )


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    tree_size = draw(st.integers(1, MAX_SAFE_INTEGER) | st.sampled_from([1, MAX_SAFE_INTEGER]))
    index = draw(st.integers(0, tree_size - 1) | st.sampled_from([0, tree_size - 1]))
    path = draw(st.lists(hashes, max_size=MAX_PROOF_LENGTH) | st.just([b"\x07" * 32] * 64))
    return Receipt(
        leaf=draw(leaves()),
        proof=InclusionProof(index, tree_size, tuple(path), draw(hashes)),
        anchor=AnchorRef(
            chain_id=draw(st.integers(1, MAX_SAFE_INTEGER)),
            registry=draw(addresses),
            tx_hash=draw(hashes),
            block_number=draw(safe_integers),
            block_hash=draw(hashes),
            timestamp=draw(safe_integers),
        ),
    )


@given(receipts())
def test_generated_canonical_receipts_take_the_fast_path_to_the_strict_result(
    receipt: Receipt,
) -> None:
    encoded = encode_receipt(receipt)
    assert decode_strictly(encoded) == receipt
    fast = assert_same_as_strict(encoded)
    device = receipt.leaf.device or ""
    needs_escape = '"' in device or "\\" in device
    assert (fast is None) == needs_escape  # declined only where JSON escapes a character
    # the leaf's canonical bytes are literally its slice of the receipt
    assert b'"leaf":' + receipt.leaf.canonical_bytes() + b',"proof":' in encoded


def full_receipt(path_length: int, device: str = "d" * MAX_DEVICE_LENGTH) -> Receipt:
    """Every optional leaf member, every integer at its maximum."""
    top = MAX_SAFE_INTEGER
    leaf = LeafRecord(
        "iot", Digest(SHA256, b"\x01" * 32), b"\x02" * 16, "0x" + "ab" * 20,
        meta=Digest(SHA256, b"\x03" * 32), device=device, seq=top, supersedes=b"\x04" * 32,
    )  # fmt: skip
    proof = InclusionProof(top - 1, top, (b"\x05" * 32,) * path_length, b"\x06" * 32)
    anchor = AnchorRef(top, "0x" + "cd" * 20, b"\x07" * 32, top, b"\x08" * 32, top)
    return Receipt(leaf, proof, anchor)


def test_the_largest_receipt_takes_the_fast_path() -> None:
    receipt = full_receipt(MAX_PROOF_LENGTH)
    assert assert_same_as_strict(encode_receipt(receipt)) == receipt


def test_beyond_the_limits_both_paths_refuse() -> None:
    too_long = receipt_codec.receipt_to_object(full_receipt(MAX_PROOF_LENGTH))
    too_long["proof"]["path"].append("00" * 32)
    long_device = receipt_codec.receipt_to_object(full_receipt(1))
    long_device["leaf"]["device"] = "d" * (MAX_DEVICE_LENGTH + 1)
    for obj in (too_long, long_device):
        data = canonicalize(obj)
        assert assert_same_as_strict(data) is None
        assert isinstance(outcome(decode_receipt, data), tuple)


# ------------------------------------------------------------------ mutations

TOKEN = re.compile(rb'"[^"]*"|-?[0-9]+')
HEX_STRING = re.compile(rb'"(?:0x|sha256:)?([0-9a-f]{32,})"')


def canonical_samples() -> list[bytes]:
    genuine = receipt_from_object(VECTORS["valid"][0]["receipt"])
    return [
        encode_receipt(genuine),
        encode_receipt(full_receipt(3)),
        encode_receipt(full_receipt(0, device="x")),
    ]


def integers(data: bytes) -> Iterator[re.Match[bytes]]:
    return (m for m in TOKEN.finditer(data) if not m.group().startswith(b'"'))


def splice(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + new + data[end:]


def whitespace(data: bytes) -> Iterator[bytes]:
    for position in range(len(data) + 1):
        yield splice(data, position, position, b" ")
    for space in (b"\t", b"\n", b"\r", b"\xc2\xa0"):
        yield data.replace(b":", b":" + space, 1)
        yield data.replace(b",", space + b",", 1)


def objects(data: bytes) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """Each object of a canonical receipt: its bytes (found once in ``data``) and value."""
    obj = json.loads(data)
    for value in (obj, obj["anchor"], obj["leaf"], obj["proof"]):
        yield canonicalize(value), value


def member(key: str, value: Any) -> bytes:
    return canonicalize(key) + b":" + canonicalize(value)


def key_orders(data: bytes) -> Iterator[bytes]:
    for text, value in objects(data):
        members = [member(key, item) for key, item in value.items()]
        for order in (members[::-1], members[1:] + members[:1], members[-1:] + members[:-1]):
            yield data.replace(text, b"{" + b",".join(order) + b"}")


def duplicates(data: bytes) -> Iterator[bytes]:
    for text, value in objects(data):
        for key, item in value.items():
            for again in (member(key, item), member(key, 0)):
                yield data.replace(text, b"{" + again + b"," + text[1:])
                yield data.replace(text, text[:-1] + b"," + again + b"}")


def escapes(data: bytes) -> Iterator[bytes]:
    for match in TOKEN.finditer(data):
        if not match.group().startswith(b'"'):
            continue
        for position in range(match.start() + 1, match.end() - 1):
            char = data[position]
            for escaped in (b"\\u%04x" % char, b"\\u%04X" % char):
                yield splice(data, position, position + 1, escaped)
        if match.end() - match.start() > 2:
            yield splice(data, match.start() + 1, match.start() + 1, b"\\/")


def strings(data: bytes) -> Iterator[bytes]:
    for match in TOKEN.finditer(data):
        start, end = match.start() + 1, match.end() - 1
        if data[start - 1 : start] != b'"' or data[end + 1 : end + 2] == b":":
            continue  # numbers and keys
        text = data[start:end]
        for new in (text + b"s", text + b"x", text[:-1], b"", text + text, text.upper()):
            yield splice(data, start, end, new)


def hex_cases(data: bytes) -> Iterator[bytes]:
    for match in HEX_STRING.finditer(data):
        start, end = match.span(1)
        digits = data[start:end]
        yield splice(data, start, end, digits.upper())
        yield splice(data, start, start + 1, b"A")
        yield splice(data, start, end, digits[:-1])
        yield splice(data, start, end, digits + b"0")
        yield splice(data, start, end, digits[:-1] + b"g")
    yield data.replace(b'"0x', b'"0X', 1)
    yield data.replace(b'"sha256:', b'"SHA256:', 1)


def added_fields(data: bytes) -> Iterator[bytes]:
    for position, char in enumerate(data):
        if char == ord("{"):
            yield splice(data, position + 1, position + 1, b'"a":1,')
        if char == ord("}"):
            yield splice(data, position, position, b',"zzz":1')
            yield splice(data, position, position, b',"zzz":null')


def versions(data: bytes) -> Iterator[bytes]:
    for version in (b"1.1", b"1.00", b"01.0", b"1", b"2.0", b"0.9", b"1.0 ", b"1.01"):
        yield data.replace(b'"version":"1.0"', b'"version":"' + version + b'"')
    yield data.replace(b'"version":"1.0"', b'"version":1.0')
    yield data.replace(b'"v":1', b'"v":1.0')
    yield data.replace(b'"v":1', b'"v":true')
    yield data.replace(b'"v":1', b'"v":2')


def numbers(data: bytes) -> Iterator[bytes]:
    for match in integers(data):
        digits = match.group()
        start, end = match.span()
        for new in (
            b"0" + digits,
            b"-0",
            b"-" + digits,
            b"-1",
            b"1e3",
            digits + b"e0",
            digits + b".0",
            b"0",
            b"9" * 5000,
            str(MAX_SAFE_INTEGER + 1).encode(),
            str(2**64).encode(),
            b"true",
            b'"' + digits + b'"',
        ):
            yield splice(data, start, end, new)


def surroundings(data: bytes) -> Iterator[bytes]:
    for extra in (b"\n", b" ", b"\r\n", b"{}", b"x", b"\x00", b",", data):
        yield data + extra
    yield b"\xef\xbb\xbf" + data
    yield b" " + data
    yield data[:-1]
    for position in range(len(data)):
        yield data[:position] + data[position + 1 :]


def leaf_members(data: bytes) -> Iterator[bytes]:
    obj = json.loads(data)
    for name, value in (
        ("device", "d"),
        ("seq", 1),
        ("device", 'a"b'),
        ("device", "a\\b"),
        ("device", "ä"),
        ("device", ""),
        ("kind", "Certificate"),
        ("meta", "sha512:" + "00" * 32),
        ("supersedes", "00" * 31),
    ):
        changed = json.loads(data)
        changed["leaf"][name] = value
        yield canonicalize(changed)
        changed["leaf"].pop(name)
        yield canonicalize(changed)
    for name, value in (("index", obj["proof"]["tree_size"]), ("tree_size", 0)):
        changed = json.loads(data)
        changed["proof"][name] = value
        yield canonicalize(changed)
    changed = json.loads(data)
    changed["anchor"]["chain_id"] = 0
    yield canonicalize(changed)


MUTATIONS: dict[str, Callable[[bytes], Iterator[bytes]]] = {
    "whitespace": whitespace,
    "key order": key_orders,
    "duplicate key": duplicates,
    "escaped character": escapes,
    "string value": strings,
    "hex case and length": hex_cases,
    "added field": added_fields,
    "version": versions,
    "number": numbers,
    "trailing data, BOM, deletions": surroundings,
    "leaf members and ranges": leaf_members,
}


def check_mutations(mutate: Callable[[bytes], Iterator[bytes]]) -> tuple[int, int]:
    """Every mutation of every sample through ``assert_same_as_strict``; returns how
    many the fast path took and how many were mutations at all."""
    taken = total = 0
    for sample in canonical_samples():
        assert assert_same_as_strict(sample) is not None
        for mutated in mutate(sample):
            if mutated != sample:
                total += 1
                taken += assert_same_as_strict(mutated) is not None
    return taken, total


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutated_receipts_decode_as_the_strict_decoder_decodes_them(name: str) -> None:
    taken, total = check_mutations(MUTATIONS[name])
    assert total > 0
    assert taken < total  # each kind of mutation leaves the fast path at least once


# ------------------------------------------------------------------ shared corpus


def test_the_forged_receipt_corpus_decodes_as_the_strict_decoder_decodes_it() -> None:
    genuine = receipt_from_object(VECTORS["valid"][0]["receipt"])
    good = Genuine(encode_receipt(genuine), VECTORS["document"].encode())
    cases = forge(Inputs(good, other_tx_hashes=["0x" + "cd" * 32]))
    taken = sum(assert_same_as_strict(case.receipt) is not None for case in cases)
    assert 0 < taken < len(cases)


def test_the_receipt_vectors_decode_as_the_strict_decoder_decodes_them() -> None:
    texts = [case["text"].encode() for case in VECTORS["invalid"]]
    for case in VECTORS["tampered"]:
        texts += [case["text"].encode(), canonicalize(json.loads(case["text"]))]
    for case in VECTORS["valid"]:
        texts += [json.dumps(case["receipt"]).encode(), canonicalize(case["receipt"])]
    taken = sum(assert_same_as_strict(text) is not None for text in texts)
    assert taken == len(VECTORS["valid"]) + len(VECTORS["tampered"])


def test_the_fast_path_gives_the_vectors_leaf_hash() -> None:
    receipt = _decode_canonical(canonicalize(VECTORS["valid"][0]["receipt"]))
    assert receipt is not None
    assert receipt.leaf_hash.hex() == VECTORS["leaf_hash"]


# ------------------------------------------------------------------ the checks can fail


LOOSENED = {
    "upper-case hex": (rb"[0-9a-f]", rb"[0-9a-fA-F]", "hex case and length"),
    "leading zeros": (rb"(0|[1-9][0-9]{0,15})", rb"([0-9]{1,16})", "number"),
    "backslash in device": (rb"\x5d-\x7e", rb"\x5c-\x7e", "escaped character"),
    "whitespace in the leaf": (rb'"v":1', rb'"v":\x20?1', "whitespace"),
    "any version": (rb'"version":"1\.0"', rb'"version":"[0-9.]+"', "version"),
}


@pytest.mark.parametrize("name", LOOSENED)
def test_a_loosened_pattern_is_caught(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new, mutation = LOOSENED[name]
    pattern = receipt_codec._CANONICAL_RECEIPT.pattern
    assert old in pattern
    loosened = re.compile(pattern.replace(old, new), re.VERBOSE)
    monkeypatch.setattr(receipt_codec, "_CANONICAL_RECEIPT", loosened)
    with pytest.raises(AssertionError):
        check_mutations(MUTATIONS[mutation])
