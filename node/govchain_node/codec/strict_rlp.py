"""A minimal RLP writer plus strict-reading helpers over :mod:`rlp`.

The writer exists so that an already-encoded item (a proposed block) can be embedded in a
message without being decoded and re-encoded: Besu inlines the block's RLP list inside
the PROPOSAL payload. Reading uses pyrlp's strict decoder, then these helpers check each
field's shape and map every failure to :class:`DecodeError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import rlp
from rlp.exceptions import DecodingError, DeserializationError
from rlp.sedes import big_endian_int

from govchain_node.codec.errors import DecodeError, EncodeError

Item = bytes | list["Item"]

MAX_MESSAGE_BYTES = 8 * 1024 * 1024


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(encoded)]) + encoded


def enc_bytes(value: bytes) -> bytes:
    """RLP of a byte string."""
    if len(value) == 1 and value[0] < 0x80:
        return value
    return _length_prefix(len(value), 0x80) + value


def enc_int(value: int) -> bytes:
    """RLP of a non-negative integer as a minimal big-endian scalar (Besu ``writeIntScalar``)."""
    if value < 0:
        raise EncodeError("RLP scalars are non-negative")
    return enc_bytes(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def enc_list(encoded_items: Sequence[bytes]) -> bytes:
    """RLP of a list whose items are already RLP-encoded."""
    body = b"".join(encoded_items)
    return _length_prefix(len(body), 0xC0) + body


def decode(data: bytes, what: str) -> Item:
    """Strictly decode one RLP item; trailing bytes and non-canonical forms are rejected."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise DecodeError(f"{what}: {len(data)} bytes exceeds the limit")
    try:
        item: Item = rlp.decode(data, strict=True)
    except DecodingError as exc:
        raise DecodeError(f"{what}: not canonical RLP ({exc})") from exc
    return item


def reencode(item: Item) -> bytes:
    """Canonical bytes of a decoded item (equal to the input, as decoding was strict)."""
    return bytes(rlp.encode(item))


def as_list(item: Item, what: str, length: int | None = None) -> list[Item]:
    if not isinstance(item, list):
        raise DecodeError(f"{what} must be an RLP list")
    if length is not None and len(item) != length:
        raise DecodeError(f"{what} must have {length} items, not {len(item)}")
    return item


def as_bytes(item: Item, what: str, length: int | None = None) -> bytes:
    if not isinstance(item, bytes):
        raise DecodeError(f"{what} must be an RLP byte string")
    if length is not None and len(item) != length:
        raise DecodeError(f"{what} must be {length} bytes, not {len(item)}")
    return item


def as_int(item: Item, what: str, max_bits: int = 64) -> int:
    raw = as_bytes(item, what)
    try:
        value = int(big_endian_int.deserialize(raw))
    except DeserializationError as exc:
        raise DecodeError(f"{what} is not a minimal scalar") from exc
    if value.bit_length() > max_bits:
        raise DecodeError(f"{what} exceeds {max_bits} bits")
    return value
