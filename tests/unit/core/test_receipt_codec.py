"""The strict receipt v1 decoder, with the shared named bad cases and fuzzing."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_core import errors
from govchain_core.errors import ReceiptError, ReceiptFieldError
from govchain_core.receipt_codec import (
    decode_receipt,
    encode_receipt,
    receipt_from_object,
    receipt_to_object,
)
from tests.conftest import load_vectors

VECTORS = load_vectors("receipts.json")
GOOD = VECTORS["valid"][0]["receipt"]


def test_round_trip_is_canonical() -> None:
    receipt = receipt_from_object(GOOD)
    encoded = encode_receipt(receipt)
    assert decode_receipt(encoded) == receipt
    assert encode_receipt(decode_receipt(json.dumps(GOOD, indent=2))) == encoded
    assert receipt_to_object(receipt) == GOOD


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["name"])
def test_named_bad_receipts_fail_with_the_named_error(case: dict[str, Any]) -> None:
    expected = getattr(errors, case["error"])
    with pytest.raises(expected):
        decode_receipt(case["text"])


def test_field_errors_name_a_json_pointer() -> None:
    obj = json.loads(json.dumps(GOOD))
    obj["anchor"]["block_number"] = "42"
    with pytest.raises(ReceiptFieldError) as caught:
        receipt_from_object(obj)
    assert caught.value.field == "/anchor/block_number"


def test_a_newer_minor_version_may_add_fields() -> None:
    obj = json.loads(json.dumps(GOOD))
    obj["version"] = "1.3"
    obj["signature"] = "future"
    obj["anchor"]["finality"] = "qbft"
    assert receipt_from_object(obj) == receipt_from_object(GOOD)


def test_bom_and_surrounding_whitespace_are_accepted() -> None:
    text = "\ufeff\n  " + json.dumps(GOOD) + "\n\n"
    assert decode_receipt(text.encode()) == receipt_from_object(GOOD)


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_receipt_errors(data: bytes) -> None:
    with contextlib.suppress(ReceiptError):
        decode_receipt(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_arbitrary_json_raises_only_receipt_errors(value: Any) -> None:
    with contextlib.suppress(ReceiptError):
        decode_receipt(json.dumps(value))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*prefix, k))] + [prefix]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))] + [prefix]
    return [prefix]


@given(st.sampled_from(_paths(GOOD)[:-1]), json_values)
def test_mutating_any_field_of_a_good_receipt_raises_only_receipt_errors(
    path: tuple[Any, ...], replacement: Any
) -> None:
    obj = json.loads(json.dumps(GOOD))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = replacement
    with contextlib.suppress(ReceiptError):
        decode_receipt(json.dumps(obj))


def test_deeply_nested_json_is_a_syntax_error() -> None:
    with pytest.raises(errors.ReceiptSyntaxError):
        decode_receipt("[" * 30_000 + "]" * 30_000)


def test_huge_integer_literals_are_a_syntax_error() -> None:
    text = json.dumps(GOOD).replace('"block_number": 42', '"block_number": ' + "9" * 5000)
    with pytest.raises(errors.ReceiptSyntaxError):
        decode_receipt(text)


def test_nesting_is_refused_before_parsing_even_with_a_raised_recursion_limit() -> None:
    # regression: py-evm raises the recursion limit to 100,000, which let the C JSON
    # parser recurse until the process crashed on a receipt of nested brackets
    import sys

    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        with pytest.raises(errors.ReceiptSyntaxError, match="deeper"):
            decode_receipt('{"a":' * 20 + "1" + "}" * 20)
        with pytest.raises(errors.ReceiptSyntaxError, match="deeper"):
            decode_receipt("[" * 30_000 + "]" * 30_000)
    finally:
        sys.setrecursionlimit(previous)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    obj = json.loads(json.dumps(GOOD))
    device = "[" * 20 + "{" * 20 + '"\\'
    obj["leaf"]["device"] = device
    obj["leaf"]["seq"] = 1
    assert decode_receipt(json.dumps(obj)).leaf.device == device
