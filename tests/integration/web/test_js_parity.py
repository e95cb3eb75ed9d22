"""The browser's JavaScript core against the Python proof core, on generated inputs.

Hypothesis generates leaf-like JSON objects and mutated receipt files; a Node script
(js_oracle.mjs) runs the web verifier's modules on them, and every answer must be
what ``govchain_core`` says: the same RFC 8785 bytes (or the same refusal), the same
receipt decoding outcome (the same leaf hash, or the same error class and field).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govchain_core.errors import CoreError, ReceiptFieldError
from govchain_core.jcs import canonicalize
from govchain_core.receipt_codec import decode_receipt
from tests.conftest import load_vectors
from tests.integration.web.oracle import ORACLE, run_oracle

GOOD: dict[str, Any] = load_vectors("receipts.json")["valid"][0]["receipt"]
SAFE = 2**53 - 1


def test_the_javascript_unit_suite_passes() -> None:
    """``node --test tests/js/`` (the shared vectors and the page's modules), run in CI."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js 20) is needed to run the web verifier's JavaScript")
    root = ORACLE.parents[3]
    done = subprocess.run(
        [node, "--test", "tests/js/"], cwd=root, capture_output=True, timeout=300, check=False
    )
    report = done.stdout.decode()
    assert done.returncode == 0, report[-4000:] + done.stderr.decode()
    assert "# fail 0" in report


# ------------------------------------------------------------------ RFC 8785

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "\u0000\u001f", '"\\/', "\u2028\u2029", "é€😀", "\ufb33", "\ud800", "a\udfff"]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-SAFE, SAFE),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 123e-7, 0.1]),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)
hex_strings = st.text(alphabet="0123456789abcdef", min_size=0, max_size=66)
leaf_like = st.fixed_dictionaries(
    {
        "v": st.just(1),
        "kind": st.sampled_from(["certificate", "register", "iot", "dataset"]),
        "digest": hex_strings.map(lambda h: f"sha256:{h}"),
        "salt": hex_strings,
        "issuer": hex_strings.map(lambda h: f"0x{h}"),
    },
    optional={
        "meta": hex_strings.map(lambda h: f"sha256:{h}"),
        "device": texts,
        "seq": st.integers(0, SAFE),
        "supersedes": hex_strings,
        "extra": json_values,
    },
).flatmap(lambda leaf: st.dictionaries(texts, json_values, max_size=3).map(lambda x: {**x, **leaf}))


def python_jcs(value: Any) -> dict[str, Any]:
    try:
        return {"text": canonicalize(value).decode("utf-8")}
    except CoreError as exc:
        return {"error": type(exc).__name__, "field": None}


# each example is one Node process checking a whole batch; fewer, larger examples
BATCHED = settings(max_examples=30)


@BATCHED
@given(st.lists(st.one_of(leaf_like, json_values), min_size=20, max_size=40))
def test_jcs_of_leaf_like_objects_matches_python(values: list[Any]) -> None:
    answers = run_oracle(jcs=values)["jcs"]
    assert answers == [python_jcs(v) for v in values]


def test_jcs_refusals_match_python() -> None:
    deep: Any = 1
    for _ in range(70):
        deep = [deep]
    values = [deep, {"\ud800": 1}, "\udc00", 2**53 - 1, -(2**53 - 1), [1.5, -0.0, 1e300]]
    answers = run_oracle(jcs=values)["jcs"]
    assert answers == [python_jcs(v) for v in values]
    assert answers[0] == {"error": "CanonicalJSONError", "field": None}


# ------------------------------------------------------------------ receipts v1

LEAF_FIELDS = ("v", "kind", "digest", "salt", "issuer", "seq", "device", "meta")
PROOF_FIELDS = ("algorithm", "index", "tree_size", "path", "root")
ANCHOR_FIELDS = ("chain_id", "registry", "tx_hash", "block_number", "block_hash", "timestamp")
POINTERS = [
    ["type"],
    ["version"],
    ["leaf"],
    ["proof"],
    ["anchor"],
    ["proof", "path", "0"],
    *(["leaf", k] for k in LEAF_FIELDS),
    *(["proof", k] for k in PROOF_FIELDS),
    *(["anchor", k] for k in ANCHOR_FIELDS),
]
field_values = st.one_of(
    json_values,
    st.integers(),
    hex_strings,
    hex_strings.map(lambda h: f"0x{h}"),
    hex_strings.map(str.upper),
    st.sampled_from(["1.0", "1.1", "1.9999", "2.0", "0.9", "1.00", "01.0", "1", "1.10000", "10.0"]),
)


@st.composite
def mutated_receipts(draw: st.DrawFn) -> bytes:
    obj: Any = json.loads(json.dumps(GOOD))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(POINTERS))
        target = obj
        for key in path[:-1]:
            if isinstance(target, list):
                # an earlier mutation may have turned an object on this path into a list
                if not key.isdigit() or int(key) >= len(target):
                    break
                target = target[int(key)]
            else:
                target = target.get(key)
            if not isinstance(target, dict | list):
                break
        else:
            last: Any = path[-1]
            if isinstance(target, list):
                if not target:
                    continue
                last = 0
            action = draw(st.sampled_from(["set", "delete", "add"]))
            if action == "delete" and isinstance(target, dict):
                target.pop(last, None)
            elif action == "add" and isinstance(target, dict):
                target[draw(texts)] = draw(json_values)
            else:
                target[last] = draw(field_values)
    text = json.dumps(
        obj,
        indent=draw(st.sampled_from([None, 1])),
        sort_keys=draw(st.booleans()),
        ensure_ascii=False,
    )
    edit = draw(st.sampled_from(["none", "none", "insert", "delete", "append", "duplicate", "bom"]))
    position = draw(st.integers(0, len(text)))
    if edit == "insert":
        text = (
            text[:position]
            + draw(st.sampled_from(list(' ,:{}[]"\\0-eE.tnfNaI\t\n')))
            + text[position:]
        )
    elif edit == "delete" and text:
        text = text[:position] + text[position + 1 :]
    elif edit == "append":
        text += draw(st.sampled_from([" ", "\n", "{}", "x", "\u0000", " []"]))
    elif edit == "duplicate":
        text = text[:1] + '"type": "govchain-receipt", ' + text[1:]
    elif edit == "bom":
        text = "\ufeff" + text
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and len(data) > 10:
        cut = draw(st.integers(0, len(data) - 1))
        data = (
            data[:cut] + bytes([draw(st.sampled_from([0xFF, 0xC3, 0x80, 0x00]))]) + data[cut + 1 :]
        )
    return data


def python_receipt(data: bytes) -> dict[str, Any]:
    try:
        receipt = decode_receipt(data)
    except CoreError as exc:
        field = exc.field if isinstance(exc, ReceiptFieldError) else None
        return {"error": type(exc).__name__, "field": field}
    return {"ok": True, "leaf_hash": receipt.leaf_hash.hex()}


@BATCHED
@given(st.lists(mutated_receipts(), min_size=25, max_size=40))
def test_mutated_receipts_decode_as_in_python(files: list[bytes]) -> None:
    answers = run_oracle(receipts=files)["receipts"]
    for data, answer in zip(files, answers, strict=True):
        assert answer == python_receipt(data), data[:300]


def test_shared_receipt_vectors_decode_as_in_python() -> None:
    vectors = load_vectors("receipts.json")
    files = [json.dumps(GOOD).encode()]
    files += [case["text"].encode() for case in vectors["invalid"] + vectors["tampered"]]
    answers = run_oracle(receipts=files)["receipts"]
    assert answers == [python_receipt(f) for f in files]
    assert answers[0] == {"ok": True, "leaf_hash": vectors["leaf_hash"]}
