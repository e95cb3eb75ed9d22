"""Besu-compatible RLP wire encoding of QBFT messages and their signing hashes.

Layouts (``h`` height, ``r`` round, scalars minimal big-endian, ``sig`` 65 bytes)::

    signed payload  [payload, sig]
    PROPOSAL  0x12  [[[h, r, block], sig], [[signed RC…], [signed PREPARE…]]]
    PREPARE   0x13  [[h, r, digest], sig]
    COMMIT    0x14  [[h, r, digest, seal], sig]
    RC        0x15  [[[h, r, [pr, pdigest] | []], sig], block | [], [signed PREPARE…]]

The block is embedded as its own RLP list, not as a byte string. A payload's signing hash
is ``keccak(rlp([code, payload]))``, Besu's ``QbftPayload.hashForSignature``. Decoding is
strict (canonical RLP, exact field counts and lengths, no trailing bytes) and raises
only :class:`~govchain_node.consensus.qbft.errors.DecodeError`. It does not check
signatures: that is the core's job, since only it knows the validator set.
"""

from __future__ import annotations

import functools

from govchain_node.codec import strict_rlp
from govchain_node.codec.errors import DecodeError
from govchain_node.codec.strict_rlp import (
    Item,
    as_bytes,
    as_int,
    as_list,
    enc_bytes,
    enc_int,
    enc_list,
)
from govchain_node.consensus.qbft.messages import (
    COMMIT,
    PREPARE,
    PROPOSAL,
    ROUND_CHANGE,
    Commit,
    CommitPayload,
    Message,
    P,
    Payload,
    Prepare,
    PreparedRound,
    PreparePayload,
    Proposal,
    ProposalPayload,
    RoundChange,
    RoundChangePayload,
    Signed,
)
from govchain_node.consensus.qbft.state import Persisted, PreparedCertificate
from govchain_node.signing import SIGNATURE_LENGTH, keccak256

MAX_JUSTIFICATION = 256
_EMPTY_LIST = enc_list([])


def encode_payload(payload: Payload) -> bytes:
    """The RLP list of a payload, as signed and as sent."""
    head = [enc_int(payload.height), enc_int(payload.round)]
    if isinstance(payload, ProposalPayload):
        return enc_list([*head, payload.block])
    if isinstance(payload, PreparePayload):
        return enc_list([*head, enc_bytes(payload.digest)])
    if isinstance(payload, CommitPayload):
        return enc_list([*head, enc_bytes(payload.digest), enc_bytes(payload.seal)])
    prepared = _EMPTY_LIST
    if payload.prepared is not None:
        prepared = enc_list([enc_int(payload.prepared.round), enc_bytes(payload.prepared.digest)])
    return enc_list([*head, prepared])


@functools.lru_cache(maxsize=65536)
def signing_hash(payload: Payload) -> bytes:
    """``keccak(rlp([code, payload]))``; cached because every receiver recomputes it."""
    return keccak256(enc_list([enc_int(payload.code), encode_payload(payload)]))


def _encode_signed(signed: Signed[P]) -> bytes:
    return enc_list([encode_payload(signed.payload), enc_bytes(signed.signature)])


def encode_message(message: Message) -> tuple[int, bytes]:
    """``(code, data)`` as carried by the transport."""
    if isinstance(message, Proposal):
        justification = enc_list(
            [
                enc_list([_encode_signed(rc) for rc in message.round_changes]),
                enc_list([_encode_signed(p) for p in message.prepares]),
            ]
        )
        return PROPOSAL, enc_list([_encode_signed(message.signed), justification])
    if isinstance(message, Prepare):
        return PREPARE, _encode_signed(message.signed)
    if isinstance(message, Commit):
        return COMMIT, _encode_signed(message.signed)
    block = message.prepared_block if message.prepared_block is not None else _EMPTY_LIST
    prepares = enc_list([_encode_signed(p) for p in message.prepares])
    return ROUND_CHANGE, enc_list([_encode_signed(message.signed), block, prepares])


def _height_round(fields: list[Item], what: str) -> tuple[int, int]:
    return as_int(fields[0], f"{what} height"), as_int(fields[1], f"{what} round", 32)


def _digest(item: Item, what: str) -> bytes:
    return as_bytes(item, what, 32)


def _proposal_payload(item: Item) -> ProposalPayload:
    fields = as_list(item, "proposal payload", 3)
    height, round_ = _height_round(fields, "proposal")
    block = fields[2]
    if not isinstance(block, list):
        raise DecodeError("proposal block must be an RLP list")
    return ProposalPayload(height, round_, strict_rlp.reencode(block))


def _prepare_payload(item: Item) -> PreparePayload:
    fields = as_list(item, "prepare payload", 3)
    height, round_ = _height_round(fields, "prepare")
    return PreparePayload(height, round_, _digest(fields[2], "prepare digest"))


def _commit_payload(item: Item) -> CommitPayload:
    fields = as_list(item, "commit payload", 4)
    height, round_ = _height_round(fields, "commit")
    seal = as_bytes(fields[3], "commit seal", SIGNATURE_LENGTH)
    return CommitPayload(height, round_, _digest(fields[2], "commit digest"), seal)


def _round_change_payload(item: Item) -> RoundChangePayload:
    fields = as_list(item, "round-change payload", 3)
    height, round_ = _height_round(fields, "round-change")
    raw = as_list(fields[2], "prepared metadata")
    prepared = None
    if raw:
        pair = as_list(raw, "prepared metadata", 2)
        prepared = PreparedRound(as_int(pair[0], "prepared round", 32), _digest(pair[1], "digest"))
    return RoundChangePayload(height, round_, prepared)


def _signed_fields(item: Item, what: str) -> tuple[Item, bytes]:
    fields = as_list(item, what, 2)
    return fields[0], as_bytes(fields[1], f"{what} signature", SIGNATURE_LENGTH)


def _signed_prepares(item: Item) -> tuple[Signed[PreparePayload], ...]:
    items = as_list(item, "prepare justification")
    if len(items) > MAX_JUSTIFICATION:
        raise DecodeError("too many prepares in a justification")
    out = []
    for entry in items:
        payload, sig = _signed_fields(entry, "signed prepare")
        out.append(Signed(_prepare_payload(payload), sig))
    return tuple(out)


def _signed_round_changes(item: Item) -> tuple[Signed[RoundChangePayload], ...]:
    items = as_list(item, "round-change justification")
    if len(items) > MAX_JUSTIFICATION:
        raise DecodeError("too many round changes in a justification")
    out = []
    for entry in items:
        payload, sig = _signed_fields(entry, "signed round change")
        out.append(Signed(_round_change_payload(payload), sig))
    return tuple(out)


def _decode_proposal(item: Item) -> Proposal:
    fields = as_list(item, "proposal", 2)
    payload, sig = _signed_fields(fields[0], "signed proposal")
    justification = as_list(fields[1], "proposal justification", 2)
    return Proposal(
        Signed(_proposal_payload(payload), sig),
        _signed_round_changes(justification[0]),
        _signed_prepares(justification[1]),
    )


def _decode_round_change(item: Item) -> RoundChange:
    fields = as_list(item, "round change", 3)
    payload, sig = _signed_fields(fields[0], "signed round change")
    block_item = as_list(fields[1], "round-change block")
    block = strict_rlp.reencode(block_item) if block_item else None
    signed = Signed(_round_change_payload(payload), sig)
    return RoundChange(signed, block, _signed_prepares(fields[2]))


def decode_message(code: int, data: bytes) -> Message:
    """Strictly decode one message; raises :class:`DecodeError` on any deviation."""
    item = strict_rlp.decode(data, f"message 0x{code:02x}")
    if code == PROPOSAL:
        return _decode_proposal(item)
    if code == PREPARE:
        payload, sig = _signed_fields(item, "prepare")
        return Prepare(Signed(_prepare_payload(payload), sig))
    if code == COMMIT:
        payload, sig = _signed_fields(item, "commit")
        return Commit(Signed(_commit_payload(payload), sig))
    if code == ROUND_CHANGE:
        return _decode_round_change(item)
    raise DecodeError(f"unknown QBFT message code 0x{code:02x}")


# --------------------------------------------------------------------------- persisted record


def encode_persisted(record: Persisted) -> bytes:
    """``rlp([height, round, [] | [round, digest, block, [signed PREPARE…]]])`` for the disk."""
    prepared = _EMPTY_LIST
    cert = record.prepared
    if cert is not None:
        prepares = enc_list([_encode_signed(p) for p in cert.prepares])
        prepared = enc_list([enc_int(cert.round), enc_bytes(cert.digest), cert.block, prepares])
    return enc_list([enc_int(record.height), enc_int(record.round), prepared])


def decode_persisted(data: bytes) -> Persisted:
    """Strict inverse of :func:`encode_persisted`; raises :class:`DecodeError`."""
    fields = as_list(strict_rlp.decode(data, "persisted record"), "persisted record", 3)
    height, round_ = as_int(fields[0], "height"), as_int(fields[1], "round", 32)
    raw = as_list(fields[2], "prepared certificate")
    if not raw:
        return Persisted(height, round_, None)
    cert = as_list(raw, "prepared certificate", 4)
    block = as_list(cert[2], "prepared block")
    prepared = PreparedCertificate(
        as_int(cert[0], "prepared round", 32),
        _digest(cert[1], "prepared digest"),
        strict_rlp.reencode(block),
        _signed_prepares(cert[3]),
    )
    return Persisted(height, round_, prepared)
