"""A minimal TOML writer for the files ``consortium init`` generates.

The standard library reads TOML (``tomllib``) but cannot write it, and the node's config
is small and flat: scalars, lists of scalars, tables and arrays of tables. Writing that
subset here avoids a dependency; the tests read every written file back with ``tomllib``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """A TOML basic string: UTF-8 kept, quotes, backslashes and controls escaped.

    (``json.dumps`` is not enough: it writes astral characters as surrogate pairs,
    which TOML forbids.)
    """
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError("lone surrogates cannot be written to TOML")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN has no stable meaning here
            raise ValueError("NaN cannot be written to node.toml")
        return repr(value)
    if isinstance(value, str | Path):
        return _string(str(value))
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str | bytes)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _write_table(lines: list[str], table: Mapping[str, Any], path: tuple[str, ...]) -> None:
    nested: list[tuple[str, Any]] = []
    for name, value in table.items():
        if value is None:
            continue  # TOML has no null: an absent key means "default"
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((name, value))
        else:
            lines.append(f"{_key(name)} = {_scalar(value)}")
    for name, value in nested:
        sub = (*path, _key(name))
        if isinstance(value, Mapping):
            lines.extend(["", f"[{'.'.join(sub)}]"])
            _write_table(lines, value, sub)
        else:
            for item in value:
                lines.extend(["", f"[[{'.'.join(sub)}]]"])
                _write_table(lines, item, sub)


def dumps(document: Mapping[str, Any], header: str = "") -> str:
    """``document`` as TOML text; ``header`` becomes leading ``#`` comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _write_table(lines, document, ())
    return "\n".join(lines).lstrip("\n") + "\n"
