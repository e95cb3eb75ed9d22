"""QBFT ``extraData``: Besu's RLP layout ``[vanity, validators, vote, round, seals]``.

- ``vanity``: exactly 32 bytes;
- ``validators``: list of 20-byte addresses (the validator set for the *next* block);
- ``vote``: empty list, or ``[address, 0x00 | 0xff]`` (drop / add), for header voting;
- ``round``: the consensus round as a 4-byte big-endian integer;
- ``seals``: list of 65-byte commit seals ``r ‖ s ‖ v``.

A commit seal signs :func:`seal_hash`: the keccak of the RLP header whose extraData has
the same fields but an empty seal list, so every validator signs the same digest
whatever seals the others add. The decoder is strict: it rejects trailing bytes, wrong
lengths and unknown vote values.
"""

from __future__ import annotations

import dataclasses

import rlp
from eth_hash.auto import keccak
from rlp.exceptions import DecodingError

from govchain_node.errors import InvalidBlockError

VANITY_LENGTH = 32
SEAL_LENGTH = 65
VOTE_ADD = b"\xff"
VOTE_DROP = b"\x00"
MAX_EXTRA_DATA_BYTES = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Vote:
    """A header vote to add (``add=True``) or drop a validator."""

    recipient: bytes
    add: bool


@dataclasses.dataclass(frozen=True)
class QbftExtraData:
    """The decoded contents of a QBFT header's ``extraData``."""

    vanity: bytes
    validators: tuple[bytes, ...]
    vote: Vote | None
    round: int
    seals: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.vanity) != VANITY_LENGTH:
            raise InvalidBlockError("extraData vanity must be 32 bytes")
        if any(len(v) != 20 for v in self.validators):
            raise InvalidBlockError("extraData validators must be 20-byte addresses")
        if not 0 <= self.round < 2**32:
            raise InvalidBlockError("extraData round must fit in 4 bytes")
        if any(len(s) != SEAL_LENGTH for s in self.seals):
            raise InvalidBlockError("extraData seals must be 65 bytes each")
        if self.vote is not None and len(self.vote.recipient) != 20:
            raise InvalidBlockError("extraData vote recipient must be a 20-byte address")

    def without_seals(self) -> QbftExtraData:
        return dataclasses.replace(self, seals=())

    def with_seals(self, seals: tuple[bytes, ...]) -> QbftExtraData:
        return dataclasses.replace(self, seals=seals)


def encode_extra_data(extra: QbftExtraData) -> bytes:
    vote: list[bytes] = []
    if extra.vote is not None:
        vote = [extra.vote.recipient, VOTE_ADD if extra.vote.add else VOTE_DROP]
    return bytes(
        rlp.encode(
            [
                extra.vanity,
                list(extra.validators),
                vote,
                extra.round.to_bytes(4, "big"),
                list(extra.seals),
            ]
        )
    )


def _as_bytes(item: object, what: str) -> bytes:
    if not isinstance(item, bytes):
        raise InvalidBlockError(f"extraData {what} must be a byte string")
    return item


def _as_list(item: object, what: str) -> list[object]:
    if not isinstance(item, list):
        raise InvalidBlockError(f"extraData {what} must be a list")
    return item


def decode_extra_data(data: bytes) -> QbftExtraData:
    """Decode and validate; raises :class:`InvalidBlockError` on any deviation."""
    if len(data) > MAX_EXTRA_DATA_BYTES:
        raise InvalidBlockError("extraData too large")
    try:
        items = rlp.decode(data, strict=True)
    except DecodingError as exc:
        raise InvalidBlockError(f"extraData is not valid RLP: {exc}") from exc
    fields = _as_list(items, "root")
    if len(fields) != 5:
        raise InvalidBlockError("extraData must have 5 fields")
    vanity = _as_bytes(fields[0], "vanity")
    validators = tuple(_as_bytes(v, "validator") for v in _as_list(fields[1], "validators"))
    raw_vote = _as_list(fields[2], "vote")
    vote: Vote | None = None
    if raw_vote:
        if len(raw_vote) != 2:
            raise InvalidBlockError("extraData vote must be [recipient, type]")
        kind = _as_bytes(raw_vote[1], "vote type")
        if kind not in (VOTE_ADD, VOTE_DROP):
            raise InvalidBlockError("extraData vote type must be 0x00 or 0xff")
        vote = Vote(_as_bytes(raw_vote[0], "vote recipient"), kind == VOTE_ADD)
    round_bytes = _as_bytes(fields[3], "round")
    if len(round_bytes) != 4:
        raise InvalidBlockError("extraData round must be 4 bytes")
    seals = tuple(_as_bytes(s, "seal") for s in _as_list(fields[4], "seals"))
    return QbftExtraData(vanity, validators, vote, int.from_bytes(round_bytes, "big"), seals)


def seal_hash(header_fields: list[object]) -> bytes:
    """Hash signed by commit seals; ``header_fields`` is the RLP header list whose
    extraData already has its seals removed."""
    return bytes(keccak(rlp.encode(header_fields)))
