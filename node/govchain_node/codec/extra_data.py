"""Besu's QBFT header ``extraData`` and the two header hashes QBFT derives from it.

Layout (``QbftExtraDataCodec`` in Besu)::

    rlp([vanity(32), [validator(20)…], vote, round, [seal(65)…]])
    vote  = []                         no vote
          | [recipient(20), 0xff]      add ``recipient``
          | [recipient(20), ""]        drop ``recipient`` (Besu writes RLP null; 0x00 is read too)
    round = minimal big-endian scalar  (QBFT; IBFT 2.0 used a fixed 4-byte field)

Hashes of a header whose extraData is ``e`` (``keccak`` of the header's RLP list):

- commit-seal hash: ``e`` re-encoded with an *empty seal list* and the round kept; every
  commit seal signs this, so a seal binds the round it was produced in;
- on-chain hash (the block hash): ``e`` with empty seals *and round 0*; so the hash that
  PREPARE/COMMIT messages name is the same in every round a block is proposed in.

The decoder is stricter than Besu's (which ignores trailing list items and any vanity
length): exact five fields, 32-byte vanity, 20-byte addresses, 65-byte seals, no trailing
bytes. Everything here is pure: headers are plain RLP field lists, no py-evm.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from govchain_node.codec import strict_rlp
from govchain_node.codec.errors import DecodeError, ExtraDataError
from govchain_node.codec.strict_rlp import (
    Item,
    as_bytes,
    as_int,
    as_list,
    enc_bytes,
    enc_int,
    enc_list,
)
from govchain_node.signing import ADDRESS_LENGTH, SIGNATURE_LENGTH, keccak256

VANITY_LENGTH = 32
VOTE_ADD = b"\xff"
VOTE_DROP = b""
VOTE_DROP_ALT = b"\x00"
EXTRA_DATA_INDEX = 12
MAX_EXTRA_DATA_BYTES = 64 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class Vote:
    """A header vote to add (``add=True``) or drop ``recipient`` from the validator set."""

    recipient: bytes
    add: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ExtraData:
    """Decoded QBFT ``extraData``; validated on construction."""

    vanity: bytes
    validators: tuple[bytes, ...]
    vote: Vote | None = None
    round: int = 0
    seals: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.vanity) != VANITY_LENGTH:
            raise ExtraDataError("vanity must be 32 bytes")
        if any(len(v) != ADDRESS_LENGTH for v in self.validators):
            raise ExtraDataError("validators must be 20-byte addresses")
        if self.vote is not None and len(self.vote.recipient) != ADDRESS_LENGTH:
            raise ExtraDataError("vote recipient must be a 20-byte address")
        if not 0 <= self.round < 2**32:
            raise ExtraDataError("round must fit in 32 bits")
        if any(len(s) != SIGNATURE_LENGTH for s in self.seals):
            raise ExtraDataError("seals must be 65 bytes each")

    def with_seals(self, seals: Sequence[bytes]) -> ExtraData:
        return dataclasses.replace(self, seals=tuple(seals))

    def with_round(self, round_: int) -> ExtraData:
        return dataclasses.replace(self, round=round_)


def _encode_vote(vote: Vote | None) -> bytes:
    if vote is None:
        return enc_list([])
    kind = VOTE_ADD if vote.add else VOTE_DROP
    return enc_list([enc_bytes(vote.recipient), enc_bytes(kind)])


def _encode(extra: ExtraData, round_: int, seals: Sequence[bytes]) -> bytes:
    return enc_list(
        [
            enc_bytes(extra.vanity),
            enc_list([enc_bytes(v) for v in extra.validators]),
            _encode_vote(extra.vote),
            enc_int(round_),
            enc_list([enc_bytes(s) for s in seals]),
        ]
    )


def encode_extra_data(extra: ExtraData) -> bytes:
    """Full encoding, as stored in a sealed header."""
    return _encode(extra, extra.round, extra.seals)


def encode_for_commit_seal(extra: ExtraData) -> bytes:
    """Besu ``encodeWithoutCommitSeals``: round kept, seal list empty."""
    return _encode(extra, extra.round, ())


def encode_for_block_hash(extra: ExtraData) -> bytes:
    """Besu ``encodeWithoutCommitSealsAndRoundNumber``: round 0, seal list empty."""
    return _encode(extra, 0, ())


def _decode_vote(item: Item) -> Vote | None:
    fields = as_list(item, "extraData vote")
    if not fields:
        return None
    recipient, kind = as_list(fields, "extraData vote", 2)
    kind_bytes = as_bytes(kind, "extraData vote type")
    if kind_bytes not in (VOTE_ADD, VOTE_DROP, VOTE_DROP_ALT):
        raise ExtraDataError("vote type must be 0xff (add) or empty/0x00 (drop)")
    return Vote(as_bytes(recipient, "vote recipient", ADDRESS_LENGTH), kind_bytes == VOTE_ADD)


def decode_extra_data(data: bytes) -> ExtraData:
    """Strict decode; raises :class:`ExtraDataError` on any deviation."""
    if not data or len(data) > MAX_EXTRA_DATA_BYTES:
        raise ExtraDataError("extraData is empty or too large")
    try:
        fields = as_list(strict_rlp.decode(data, "extraData"), "extraData", 5)
        validators = tuple(
            as_bytes(v, "validator", ADDRESS_LENGTH) for v in as_list(fields[1], "validators")
        )
        return ExtraData(
            vanity=as_bytes(fields[0], "vanity", VANITY_LENGTH),
            validators=validators,
            vote=_decode_vote(fields[2]),
            round=as_int(fields[3], "round", 32),
            seals=tuple(as_bytes(s, "seal", SIGNATURE_LENGTH) for s in as_list(fields[4], "seals")),
        )
    except ExtraDataError:
        raise
    except DecodeError as exc:
        raise ExtraDataError(str(exc)) from exc


def _header_hash(header: Sequence[Item], extra_rlp: bytes) -> bytes:
    if len(header) <= EXTRA_DATA_INDEX:
        raise ExtraDataError("header has no extraData field")
    fields = [strict_rlp.reencode(f) for f in header]
    fields[EXTRA_DATA_INDEX] = enc_bytes(extra_rlp)
    return keccak256(enc_list(fields))


def header_extra(header: Sequence[Item]) -> ExtraData:
    """Decoded extraData of an RLP header field list."""
    if len(header) <= EXTRA_DATA_INDEX:
        raise ExtraDataError("header has no extraData field")
    return decode_extra_data(as_bytes(header[EXTRA_DATA_INDEX], "extraData"))


def commit_seal_hash(header: Sequence[Item]) -> bytes:
    """The hash a commit seal signs (Besu ``calculateDataHashForCommittedSeal``)."""
    return _header_hash(header, encode_for_commit_seal(header_extra(header)))


def block_hash(header: Sequence[Item]) -> bytes:
    """The on-chain block hash (Besu ``calculateHashOfBftBlockOnchain``)."""
    return _header_hash(header, encode_for_block_hash(header_extra(header)))


def header_with_extra(header: Sequence[Item], extra: ExtraData) -> list[Item]:
    """A copy of ``header`` whose extraData is ``extra`` (e.g. with seals or a new round)."""
    fields = list(header)
    fields[EXTRA_DATA_INDEX] = encode_extra_data(extra)
    return fields
