"""RFC 8785 JSON Canonicalization Scheme (JCS).

Leaf records and IoT readings are hashed in this form, so the same logical JSON
always yields the same bytes in Python, in the browser and in any other client:
object members sorted by their UTF-16 code units, no insignificant whitespace,
strings escaped as ECMAScript's ``JSON.stringify`` does, numbers written as
ECMAScript's ``Number.prototype.toString``.  The byte output of this module is
part of the receipt format and must never change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from govchain_core.errors import CanonicalJSONError

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 64

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value."""
    parts: list[str] = []
    _write(value, parts, 0)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJSONError("string contains a lone surrogate") from exc


def _write(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJSONError(f"nesting deeper than {MAX_DEPTH}")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(_integer(value))
    elif isinstance(value, float):
        out.append(format_number(value))
    elif isinstance(value, Mapping):
        _write_object(value, out, depth)
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    else:
        raise CanonicalJSONError(f"{type(value).__name__} is not a JSON value")


def _write_object(value: Mapping[Any, Any], out: list[str], depth: int) -> None:
    for key in value:
        if not isinstance(key, str):
            raise CanonicalJSONError(f"object key {key!r} is not a string")
    out.append("{")
    for position, key in enumerate(sorted(value, key=_utf16_key)):
        if position:
            out.append(",")
        out.append(_string(key))
        out.append(":")
        _write(value[key], out, depth + 1)
    out.append("}")


def _utf16_key(key: str) -> bytes:
    try:
        return key.encode("utf-16-be")
    except UnicodeEncodeError as exc:
        raise CanonicalJSONError("object key contains a lone surrogate") from exc


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def _string(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # the common case: nothing to escape
        return f'"{text}"'
    chars = ['"']
    for char in text:
        escaped = _SHORT_ESCAPES.get(char)
        if escaped is not None:
            chars.append(escaped)
        elif char < " ":
            chars.append(f"\\u{ord(char):04x}")
        else:
            chars.append(char)
    chars.append('"')
    return "".join(chars)


def _integer(value: int) -> str:
    if abs(value) > MAX_SAFE_INTEGER:
        raise CanonicalJSONError(
            f"integer {value} is outside the IEEE 754 safe range (|n| ≤ 2^53-1)"
        )
    return str(value)


def format_number(value: float) -> str:
    """Format a float exactly as ECMAScript's Number.prototype.toString does."""
    if math.isnan(value) or math.isinf(value):
        raise CanonicalJSONError("NaN and Infinity are not JSON numbers")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    k = len(digits)
    n = exponent + k  # value = 0.digits × 10^n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        power = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        body = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + body


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-tripping decimal digits and exponent: value = int(digits) × 10^exp."""
    mantissa, _, exp_text = repr(value).partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    exponent -= len(fraction)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped, exponent
