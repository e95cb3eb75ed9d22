"""node.toml's reader and writer: everything written reads back identically with tomllib,
``None`` is left out, the header becomes comments, and an unreadable file is a ConfigError."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_node import tomlfile
from govchain_node.errors import ConfigError
from govchain_node.tomlfile import dumps

_scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
_keys = st.text(min_size=1, max_size=12)
_tables = st.dictionaries(_keys, st.one_of(_scalars, st.lists(st.integers(0, 9), max_size=3)))


@given(
    _tables,
    st.dictionaries(_keys, _tables, max_size=3),
    st.lists(_tables.filter(bool), max_size=3),
)
def test_round_trip(top: dict[str, Any], tables: dict[str, Any], peers: list[Any]) -> None:
    document: dict[str, Any] = {**top, "section": {**tables, "peers": peers}}
    if not peers:
        document["section"].pop("peers")
    assert tomllib.loads(dumps(document, "a header\nacross lines")) == document


def test_none_is_left_out_and_bytes_refused() -> None:
    assert tomllib.loads(dumps({"a": None, "b": 1})) == {"b": 1}
    nested = {"p2p": {"peers": [{"host": "h", "port": None}], "tls": None}}
    assert tomllib.loads(dumps(nested)) == {"p2p": {"peers": [{"host": "h"}]}}
    with pytest.raises(TypeError):
        dumps({"raw": b"\x00"})


def test_regression_key_with_trailing_newline_is_quoted() -> None:
    # ``re.match(r"^…$")`` accepts "0\n" (``$`` matches before a final newline).
    assert tomllib.loads(dumps({"0\n": 1})) == {"0\n": 1}


def test_regression_astral_characters_are_written_as_utf8_not_surrogates() -> None:
    assert tomllib.loads(dumps({"s": "\U0001f600"})) == {"s": "\U0001f600"}


def test_header_lines_are_comments_before_the_document() -> None:
    text = dumps({"a": 1}, "first line\nsecond")
    assert text.startswith("# first line\n# second\n")
    assert tomllib.loads(text) == {"a": 1}


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    document = {"chain_id": 7, "p2p": {"peers": [{"address": "0x" + "ab" * 20, "port": 1}]}}
    tomlfile.write(path, document, "a header")
    assert tomlfile.read(path) == document


@pytest.mark.parametrize("content", [b"a = ", b"a = 1\na = 2\n", b'a = "\xff"\n'])
def test_an_unreadable_file_is_a_config_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "node.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="cannot read config file"):
        tomlfile.read(path)
    with pytest.raises(ConfigError, match="cannot read config file"):
        tomlfile.read(tmp_path / "missing.toml")
