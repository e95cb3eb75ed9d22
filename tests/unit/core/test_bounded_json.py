"""Bounded JSON: depth and size are refused before the C parser can recurse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_core.bounded_json import MAX_DEPTH, loads, nesting_depth_exceeds
from govchain_core.errors import JsonLimitError


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_depth_at_the_limit_parses_and_one_more_is_refused() -> None:
    assert loads(_nested(MAX_DEPTH), max_bytes=10_000) is not None
    with pytest.raises(JsonLimitError, match="deeper"):
        loads(_nested(MAX_DEPTH + 1), max_bytes=10_000)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps(["[" * 500, "{" * 500, '\\"[[[['])
    assert loads(text, max_bytes=10_000) == ["[" * 500, "{" * 500, '\\"[[[[']


def test_unclosed_brackets_are_refused_without_parsing() -> None:
    with pytest.raises(JsonLimitError):
        loads(b"[" * 100_000, max_bytes=1_000_000)


def test_an_unterminated_string_does_not_hide_brackets() -> None:
    assert nesting_depth_exceeds(b'"' + b"[" * 100, 64)


def test_size_is_checked_first() -> None:
    with pytest.raises(JsonLimitError, match="bytes"):
        loads(b"[1, 2, 3]", max_bytes=4)


def test_wide_documents_are_not_deep() -> None:
    wide = json.dumps([{"digest": "sha256:" + "0" * 64} for _ in range(10_000)]).encode()
    assert not nesting_depth_exceeds(wide, 3)
    assert len(loads(wide, max_bytes=len(wide))) == 10_000


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_agrees_with_the_parser(value: object) -> None:
    text = json.dumps(value).encode()

    def depth(v: object) -> int:
        if isinstance(v, list):
            return 1 + max((depth(x) for x in v), default=0)
        if isinstance(v, dict):
            return 1 + max((depth(x) for x in v.values()), default=0)
        return 0

    for limit in (1, 2, 4, 8):
        assert nesting_depth_exceeds(text, limit) == (depth(value) > limit)


def test_deep_input_does_not_crash_a_process_with_py_evms_recursion_limit() -> None:
    """The regression: py_ecc raises the limit to 100,000 and json.loads overflowed the C stack."""
    script = (
        "import sys; sys.setrecursionlimit(100_000)\n"
        "from govchain_core.bounded_json import loads\n"
        "from govchain_core.errors import JsonLimitError\n"
        "try:\n"
        "    loads(b'[' * 100_000 + b']' * 100_000, max_bytes=10**6)\n"
        "except JsonLimitError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused"


@given(st.text(alphabet='[]{}"\\ a', max_size=200), st.integers(min_value=1, max_value=6))
def test_any_text_is_never_called_shallower_than_it_is(text: str, limit: int) -> None:
    """On any text, escaped quotes or not, balanced or not: a text whose brackets
    outside complete strings reach ``limit + 1`` is always refused."""
    data = text.encode()
    strings_removed = _outside_complete_strings(data)
    running, deepest = 0, 0
    for byte in strings_removed:
        running += {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}.get(byte, 0)
        deepest = max(deepest, running)
    if deepest > limit:
        assert nesting_depth_exceeds(data, limit)


def _outside_complete_strings(data: bytes) -> bytes:
    """Complete strings removed, the slow way (the grammar, left to right)."""
    out, i = bytearray(), 0
    while i < len(data):
        if data[i : i + 1] == b'"':
            j = i + 1
            while j < len(data) and data[j : j + 1] != b'"':
                j += 2 if data[j : j + 1] == b"\\" else 1
            if j < len(data):  # complete: skip it
                i = j + 1
                continue
        out += data[i : i + 1]
        i += 1
    return bytes(out)
