"""RFC 8785 canonical JSON, checked against the RFC's examples and the rfc8785 package."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from govchain_core.errors import CanonicalJSONError
from govchain_core.jcs import canonicalize, format_number


@pytest.mark.parametrize(
    ("bits", "expected"),
    [  # RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ],
)
def test_numbers_follow_the_rfc_examples(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert format_number(value) == expected


def test_rfc_sample_object() -> None:
    sample = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(sample).decode() == expected


def test_keys_sort_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16
    value = {"\ufb33": 1, "\U0001f600": 2, "a": 3, "\u00e9": 4}
    assert canonicalize(value).decode() == '{"a":3,"\u00e9":4,"\U0001f600":2,"\ufb33":1}'


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, 2**53, "\ud800", {1: 2}, b"bytes", {"k": object()}]
)
def test_values_jcs_cannot_represent_are_refused(bad: Any) -> None:
    with pytest.raises(CanonicalJSONError):
        canonicalize(bad)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


@given(json_values)
def test_matches_the_rfc8785_reference_package(value: Any) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)


leaf_like = st.fixed_dictionaries(
    {
        "v": st.just(1),
        "kind": st.sampled_from(["certificate", "register", "iot", "dataset"]),
        "digest": st.text("0123456789abcdef", min_size=64, max_size=64).map(
            lambda h: "sha256:" + h
        ),
        "salt": st.text("0123456789abcdef", min_size=32, max_size=32),
        "issuer": st.text("0123456789abcdef", min_size=40, max_size=40).map(lambda h: "0x" + h),
    },
    optional={
        "device": st.text(min_size=1, max_size=40),
        "seq": st.integers(0, 2**53 - 1),
        "reading": st.dictionaries(
            st.text(max_size=10),
            st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**9), 10**9),
            max_size=6,
        ),
    },
)


@given(leaf_like)
def test_leaf_record_value_space_matches_rfc8785(value: dict[str, Any]) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)
