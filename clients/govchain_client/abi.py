"""Just enough of the Solidity ABI to read the three registries, with the stdlib only.

The SDK must stay installable without web3 and eth-utils, and verification needs
only a handful of view calls with static arguments (address, uint, bytes32) and
results that are static words or strings.  Function selectors are constants here;
``tests/unit/client/test_abi.py`` recomputes them from the contract artifacts.
"""

from __future__ import annotations

from collections.abc import Sequence

from govchain_client.errors import ClientError

WORD = 32

SELECTORS = {
    "AnchorRegistry.checkpoint(address,uint64)": "9c606d0e",
    "AnchorRegistry.latest(address)": "4a4aac1a",
    "AnchorRegistry.registry()": "7b103999",
    "IssuerRegistry.getIssuer(address)": "fef03da3",
    "StatusRegistry.status(address,bytes32)": "d6d76ed5",
    "StatusRegistry.registry()": "7b103999",
}


class AbiDecodeError(ClientError, ValueError):
    """Return data does not have the expected ABI shape."""


def encode_address(address: str) -> bytes:
    raw = bytes.fromhex(address.removeprefix("0x"))
    if len(raw) != 20:
        raise ValueError(f"{address!r} is not a 20-byte address")
    return raw.rjust(WORD, b"\x00")


def encode_uint(value: int) -> bytes:
    if value < 0 or value >= 1 << 256:
        raise ValueError("uint out of range")
    return value.to_bytes(WORD, "big")


def encode_bytes32(value: bytes) -> bytes:
    if len(value) != WORD:
        raise ValueError("bytes32 must be 32 bytes")
    return value


def call_data(signature: str, *words: bytes) -> str:
    """``0x`` + selector + static argument words."""
    return "0x" + SELECTORS[signature] + b"".join(words).hex()


def words(data: bytes, count: int) -> list[bytes]:
    if len(data) < count * WORD:
        raise AbiDecodeError(f"expected at least {count} words, got {len(data)} bytes")
    return [data[i * WORD : (i + 1) * WORD] for i in range(count)]


def decode_uint(word: bytes) -> int:
    return int.from_bytes(word, "big")


def decode_address(word: bytes) -> str:
    if any(word[:12]):
        raise AbiDecodeError("address word has non-zero padding")
    return "0x" + word[12:].hex()


def decode_bool(word: bytes) -> bool:
    value = decode_uint(word)
    if value > 1:
        raise AbiDecodeError("bool word is neither 0 nor 1")
    return value == 1


def decode_string(data: bytes, offset: int) -> str:
    """A dynamic ``string`` whose head is at ``offset`` bytes into ``data``."""
    (length_word,) = words(data[offset:], 1)
    length = decode_uint(length_word)
    start = offset + WORD
    if length > len(data) - start:
        raise AbiDecodeError("string runs past the end of the return data")
    try:
        return data[start : start + length].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AbiDecodeError("string is not UTF-8") from exc


def decode_tuple_head(data: bytes, kinds: Sequence[str]) -> list[object]:
    """Decode a tuple returned as the single dynamic return value (a head offset first).

    ``kinds`` lists each member's type among ``string``, ``uint``, ``bool``, ``address``,
    ``bytes32``.
    """
    (offset_word,) = words(data, 1)
    base = decode_uint(offset_word)
    if base > len(data):
        raise AbiDecodeError("tuple offset runs past the end of the return data")
    body = data[base:]
    heads = words(body, len(kinds))
    values: list[object] = []
    for kind, head in zip(kinds, heads, strict=True):
        if kind == "string":
            offset = decode_uint(head)
            if offset > len(body):
                raise AbiDecodeError("string offset runs past the end of the tuple")
            values.append(decode_string(body, offset))
        elif kind == "uint":
            values.append(decode_uint(head))
        elif kind == "bool":
            values.append(decode_bool(head))
        elif kind == "address":
            values.append(decode_address(head))
        else:
            values.append(head)
    return values
