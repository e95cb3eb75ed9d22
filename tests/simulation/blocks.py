"""The simulator's blocks: ``rlp([height, parent, proposer, payload, round])``.

A stand-in for Ethereum blocks with the same hashing rule as QBFT headers: the digest
(on-chain hash) is computed with round 0, the commit-seal hash with the real round, so a
re-proposal in a later round keeps its digest but needs new seals.
"""

from __future__ import annotations

import dataclasses
import functools

import rlp

from govchain_node.codec.extra_data import Vote
from govchain_node.codec.strict_rlp import enc_bytes, enc_int, enc_list
from govchain_node.consensus.qbft.core import BlockInfo
from govchain_node.consensus.qbft.messages import Commit, Message, Prepare, Proposal
from govchain_node.signing import keccak256

GENESIS_DIGEST = bytes(32)


def make_block(height: int, parent: bytes, proposer: bytes, payload: bytes, round_: int) -> bytes:
    items = [enc_int(height), enc_bytes(parent), enc_bytes(proposer), enc_bytes(payload)]
    return enc_list([*items, enc_int(round_)])


@functools.lru_cache(maxsize=1 << 16)
def fields(block: bytes) -> tuple[int, bytes, bytes, bytes, int] | None:
    try:
        items = rlp.decode(block, strict=True)
    except rlp.exceptions.DecodingError:
        return None
    if not isinstance(items, list) or len(items) != 5:
        return None
    if not all(isinstance(i, bytes) for i in items):
        return None
    height, parent, proposer, payload, round_ = items
    return int.from_bytes(height, "big"), parent, proposer, payload, int.from_bytes(round_, "big")


@functools.lru_cache(maxsize=1 << 16)
def inspect(block: bytes) -> BlockInfo | None:
    decoded = fields(block)
    if decoded is None:
        return None
    height, parent, proposer, payload, round_ = decoded
    digest = keccak256(make_block(height, parent, proposer, payload, 0))
    seal_hash = keccak256(make_block(height, parent, proposer, payload, round_))
    return BlockInfo(height, round_, digest, seal_hash, proposer)


def signed_digest(message: Message) -> bytes | None:
    """The block digest a PROPOSAL, PREPARE or COMMIT signs up to; ``None`` for others.

    Two such messages of one kind, height and round from one honest validator must name
    the same digest: the equivocation checks compare these.
    """
    if isinstance(message, Proposal):
        info = inspect(message.signed.payload.block)
        assert info is not None
        return info.digest
    if isinstance(message, Prepare | Commit):
        return message.signed.payload.digest
    return None


def with_vote(payload: bytes, vote: Vote | None) -> bytes:
    """Carry a header vote in the payload (the real node writes it into extraData)."""
    if vote is None:
        return payload
    return (b"+" if vote.add else b"-") + vote.recipient + payload


def vote_of(block: bytes) -> Vote | None:
    decoded = fields(block)
    assert decoded is not None
    payload = decoded[3]
    if payload[:1] in (b"+", b"-") and len(payload) > 20:
        return Vote(payload[1:21], payload[:1] == b"+")
    return None


def proposer_of(block: bytes) -> bytes:
    decoded = fields(block)
    assert decoded is not None
    return decoded[2]


@functools.lru_cache(maxsize=1 << 16)
def inspect_round_bound(block: bytes) -> BlockInfo | None:
    """Besu's message digest: the commit-seal-mode hash, which binds the round."""
    info = inspect(block)
    return None if info is None else dataclasses.replace(info, digest=info.seal_hash)


class SimBlockOps:
    """:class:`~govchain_node.consensus.qbft.core.BlockOps` over one simulated node's chain.

    ``round_in_digest`` (the default, as Besu) makes message digests the header hash without
    seals, round included; off, they are the round-free on-chain hash. The core must be
    safe and live with either."""

    def __init__(self, head: list[bytes], round_in_digest: bool = True) -> None:
        self._head = head  # [digest of the current head]; shared with the node, not copied
        self._inspect = inspect_round_bound if round_in_digest else inspect

    def inspect(self, block: bytes) -> BlockInfo | None:
        return self._inspect(block)

    def with_round(self, block: bytes, round_: int) -> bytes:
        decoded = fields(block)
        assert decoded is not None
        height, parent, proposer, payload, _ = decoded
        return make_block(height, parent, proposer, payload, round_)

    def is_valid(self, block: bytes) -> bool:
        decoded = fields(block)
        if decoded is None:
            return False
        return decoded[1] == self._head[0] and not decoded[3].startswith(b"INVALID")
