"""Strict, bounded field readers shared by the network-server formats.

Every failure raises ``UplinkError`` with a short ``reason`` (used as a metric
label) and a detail naming the field, so a malformed message is logged precisely
and counted, never crashes the bridge.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from govchain_client.iot.errors import UplinkError
from govchain_core import bounded_json
from govchain_core.errors import JsonLimitError

MAX_MESSAGE_BYTES = 256 * 1024
#: Uplinks nest about 5 deep; a codec's decoded payload may add a few levels.
MAX_MESSAGE_DEPTH = 32
MAX_FRAME_COUNTER = 2**32 - 1
_EUI = re.compile(r"\A[0-9a-fA-F]{16}\Z")
_RFC3339 = re.compile(
    r"\A\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\Z"
)
_NAME = re.compile(r"\A[\x21-\x7e]{1,128}\Z")


def load_object(payload: bytes) -> dict[str, Any]:
    """Parse a message body as one JSON object: size- and depth-bounded, no NaN, no duplicate
    keys (``govchain_core.bounded_json``: the bridge may share a process whose recursion limit
    lets the C parser overflow the stack)."""
    try:
        value = bounded_json.loads(
            payload, max_bytes=MAX_MESSAGE_BYTES, max_depth=MAX_MESSAGE_DEPTH, decoder=_DECODER
        )
    except JsonLimitError as exc:
        reason = "too_large" if len(payload) > MAX_MESSAGE_BYTES else "too_deep"
        raise UplinkError(reason, str(exc)) from None
    except UnicodeDecodeError as exc:
        raise UplinkError("not_json", f"not UTF-8: {exc.reason}") from None
    except ValueError as exc:
        raise UplinkError("not_json", str(exc)) from None
    if not isinstance(value, dict):
        raise UplinkError("not_json", f"expected a JSON object, got {type(value).__name__}")
    return value


def child(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """A required nested object."""
    value = obj.get(key)
    if not isinstance(value, dict):
        raise UplinkError("missing_field", f"{path}{key} must be an object")
    return value


def optional_object(obj: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise UplinkError("bad_field", f"{path}{key} must be an object")
    return value


def text(obj: dict[str, Any], key: str, path: str) -> str:
    """A required identifier: printable ASCII without spaces, at most 128 characters."""
    value = optional_text(obj, key, path)
    if value is None:
        raise UplinkError("missing_field", f"{path}{key} is missing")
    return value


def optional_text(obj: dict[str, Any], key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _NAME.match(value):
        raise UplinkError("bad_field", f"{path}{key} must be a printable identifier")
    return value


def counter(obj: dict[str, Any], key: str, path: str, maximum: int) -> int:
    """An unsigned integer that may be omitted when zero (both servers omit defaults)."""
    value = obj.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise UplinkError("bad_field", f"{path}{key} must be an integer in 0..{maximum}")
    return value


def payload_bytes(obj: dict[str, Any], key: str, path: str) -> bytes:
    """Standard base64, possibly omitted (empty FRMPayload)."""
    value = obj.get(key, "")
    if not isinstance(value, str):
        raise UplinkError("bad_field", f"{path}{key} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise UplinkError("bad_payload", f"{path}{key} is not valid base64") from None


def timestamp(obj: dict[str, Any], key: str, path: str) -> str:
    """An RFC 3339 time, kept verbatim (nanoseconds included) as the server wrote it."""
    value = obj.get(key)
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise UplinkError("bad_time", f"{path}{key} must be an RFC 3339 timestamp")
    return value


def eui(value: Any, path: str) -> str:
    """A 64-bit EUI in hex, returned in lower case."""
    if not isinstance(value, str) or not _EUI.match(value):
        raise UplinkError("bad_field", f"{path} must be 16 hex digits")
    return value.lower()


_DECODER = bounded_json.STRICT_DECODER
