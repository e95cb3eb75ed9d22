"""Strict parsing of JSON-RPC parameters (hex quantities, data, addresses, block tags)."""

from __future__ import annotations

import re
from typing import Any

from govchain_node.errors import RpcReplyError
from govchain_node.rpc.protocol import INVALID_PARAMS

_QUANTITY = re.compile(r"^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$")
_DATA = re.compile(r"^0x([0-9a-fA-F]{2})*$")
BLOCK_TAGS = frozenset({"latest", "earliest", "pending", "safe", "finalized"})


def invalid(message: str) -> RpcReplyError:
    return RpcReplyError(INVALID_PARAMS, f"invalid params: {message}")


def arg(params: list[Any], index: int, name: str, required: bool = True) -> Any:
    if index < len(params):
        return params[index]
    if required:
        raise invalid(f"missing value for required argument {index} ({name})")
    return None


def check_arity(params: list[Any], maximum: int) -> None:
    if len(params) > maximum:
        raise invalid(f"too many arguments, want at most {maximum}")


def quantity(value: Any, name: str) -> int:
    if isinstance(value, str) and len(value) <= 66 and _QUANTITY.match(value):
        return int(value, 16)
    raise invalid(f"{name} must be a hex quantity (0x-prefixed, no leading zeros)")


def lenient_quantity(value: Any, name: str) -> int:
    """Quantities in call objects: clients send leading zeros, so accept them."""
    if isinstance(value, str) and value.startswith("0x") and 2 < len(value) <= 66:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise invalid(f"{name} must be a hex quantity")


def data(value: Any, name: str, max_bytes: int | None = None) -> bytes:
    if isinstance(value, str) and _DATA.match(value):
        raw = bytes.fromhex(value[2:])
        if max_bytes is not None and len(raw) > max_bytes:
            raise invalid(f"{name} is too long")
        return raw
    raise invalid(f"{name} must be 0x-prefixed hex data with an even number of digits")


def fixed(value: Any, name: str, length: int) -> bytes:
    raw = data(value, name)
    if len(raw) != length:
        raise invalid(f"{name} must be {length} bytes")
    return raw


def address(value: Any, name: str = "address") -> bytes:
    return fixed(value, name, 20)


def hash32(value: Any, name: str = "hash") -> bytes:
    return fixed(value, name, 32)


def boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise invalid(f"{name} must be a boolean")


def storage_slot(value: Any, name: str = "slot") -> int:
    """Slots arrive both as quantities and as 32-byte words."""
    if isinstance(value, str) and value.startswith("0x") and 2 < len(value) <= 66:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise invalid(f"{name} must be a hex storage key of at most 32 bytes")
