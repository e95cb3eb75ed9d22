"""Bounded JSON parsing: size and nesting depth are checked before the parser runs.

Every JSON input govchain accepts from outside (HTTP bodies of the notary and the
node, receipts, MQTT uplinks, files the CLI reads) goes through ``loads``.  Python's
JSON decoder recurses in C for every ``[`` or ``{``; its only guard is the
interpreter's recursion limit, and a process that imports py-evm (through py_ecc)
runs with a limit of 100,000, deep enough to overflow the C stack: a 200 KB body of
``[`` would kill the process, not raise.  So depth is measured first, on the bytes,
without recursion, and a ``RecursionError`` from the parser is still mapped to the
same error.

The depth scan is cheap for ordinary input: a document with no more brackets than
the limit cannot nest deeper, and otherwise strings are removed and only brackets
kept (both in C) before a Python loop over the brackets alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from govchain_core.errors import JsonLimitError

#: Default nesting limit: far above any document govchain reads (receipts nest 4 deep).
MAX_DEPTH = 64

_STRING = re.compile(rb'"(?:\\.|[^"\\])*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth_exceeds(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text's brackets (outside strings) nest deeper than ``limit``.

    An unterminated string swallows nothing here: the regular expression only removes
    complete strings, so brackets after a stray quote are still counted.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for char in _STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += _STEP[char]
        if depth > limit:
            return True
    return False


def loads(
    data: bytes | str,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    decoder: json.JSONDecoder | None = None,
) -> Any:
    """Parse one JSON text within ``max_bytes`` and ``max_depth``.

    Raises ``JsonLimitError`` (too large, too deep), or the parser's
    ``json.JSONDecodeError`` / ``ValueError`` / ``UnicodeDecodeError`` for text that
    is not JSON.  ``decoder`` lets strict callers pass hooks (duplicate keys,
    constants).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise JsonLimitError(f"JSON text is {len(raw)} bytes, more than {max_bytes}")
    if nesting_depth_exceeds(raw, max_depth):
        raise JsonLimitError(f"JSON nests deeper than {max_depth}")
    try:
        if decoder is None:
            return json.loads(raw)
        text = raw.decode("utf-8")
        return decoder.decode(text)
    except RecursionError:
        raise JsonLimitError(f"JSON nests deeper than {max_depth}") from None
