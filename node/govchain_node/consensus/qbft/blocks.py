""":class:`~.core.BlockOps` for RLP-encoded Ethereum blocks, without py-evm.

A block is ``rlp([header, transactions, ommers, …])`` with the header a list of fields
(number at index 8, extraData at index 12). Everything the core needs is read from the
header: the height, the round in extraData, the on-chain hash and the commit-seal hash
(:mod:`.extra_data`). Whether the block *executes* correctly is the node's question,
injected as ``is_valid`` (the node runs py-evm on its current head there); this module
stays pure. :func:`seal_block` writes the commit seals of a :class:`~.events.CommitBlock`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from govchain_node.codec import strict_rlp
from govchain_node.codec.errors import DecodeError
from govchain_node.codec.extra_data import (
    block_hash,
    commit_seal_hash,
    header_extra,
    header_with_extra,
)
from govchain_node.codec.strict_rlp import Item, as_bytes, as_int, as_list
from govchain_node.consensus.qbft.core import BlockInfo

COINBASE_INDEX = 2
NUMBER_INDEX = 8


def _split(block: bytes) -> tuple[list[Item], list[Item]]:
    parts = as_list(strict_rlp.decode(block, "block"), "block")
    if not parts:
        raise DecodeError("block has no header")
    return parts, as_list(parts[0], "header")


def _join(parts: Sequence[Item], header: list[Item]) -> bytes:
    return strict_rlp.reencode([header, *parts[1:]])


def describe(block: bytes) -> BlockInfo:
    """Height, round, on-chain hash (as ``digest``), commit-seal hash and coinbase of an RLP
    block; raises :class:`DecodeError`."""
    _, header = _split(block)
    if len(header) <= NUMBER_INDEX:
        raise DecodeError("header too short")
    height = as_int(header[NUMBER_INDEX], "block number")
    extra = header_extra(header)
    coinbase = as_bytes(header[COINBASE_INDEX], "coinbase", 20)
    return BlockInfo(height, extra.round, block_hash(header), commit_seal_hash(header), coinbase)


def set_round(block: bytes, round_: int) -> bytes:
    """The block with ``round_`` in its extraData (and no seals)."""
    parts, header = _split(block)
    extra = header_extra(header).with_round(round_).with_seals(())
    return _join(parts, header_with_extra(header, extra))


def seal_block(block: bytes, seals: Sequence[bytes]) -> bytes:
    """The block with ``seals`` written into its extraData, ready to import."""
    parts, header = _split(block)
    extra = header_extra(header).with_seals(seals)
    return _join(parts, header_with_extra(header, extra))


class RlpBlockOps:
    """The production :class:`~.core.BlockOps`: codecs here, execution injected.

    Message digests are Besu's (``round_in_digest=True``): the header hash without seals,
    round included, i.e. the commit-seal hash of the block as proposed in that round.
    """

    def __init__(self, is_valid: Callable[[bytes], bool], round_in_digest: bool = True) -> None:
        self._is_valid = is_valid
        self._round_in_digest = round_in_digest

    def inspect(self, block: bytes) -> BlockInfo | None:
        try:
            info = describe(block)
        except DecodeError:
            return None
        if self._round_in_digest:
            return dataclasses.replace(info, digest=info.seal_hash)
        return info

    def with_round(self, block: bytes, round_: int) -> bytes:
        return set_round(block, round_)

    def is_valid(self, block: bytes) -> bool:
        return self._is_valid(block)
