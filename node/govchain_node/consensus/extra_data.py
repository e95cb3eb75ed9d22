"""QBFT ``extraData`` for the node's headers, through the QBFT package's codec.

The codec itself (Besu's ``[vanity, validators, vote, round, seals]`` layout, round as a
minimal scalar, strict decoding) lives in :mod:`govchain_node.qbft.extra_data`, shared
with the QBFT state machine so that ``--dev`` blocks and consortium blocks are the same
format. This adapter converts its errors to :class:`InvalidBlockError` at the edge.
"""

from __future__ import annotations

from govchain_node.errors import InvalidBlockError
from govchain_node.qbft import extra_data as codec
from govchain_node.qbft.errors import ExtraDataError

QbftExtraData = codec.ExtraData
Vote = codec.Vote
VANITY_LENGTH = codec.VANITY_LENGTH
MAX_EXTRA_DATA_BYTES = codec.MAX_EXTRA_DATA_BYTES


def encode_extra_data(extra: QbftExtraData) -> bytes:
    return codec.encode_extra_data(extra)


def encode_unsealed(extra: QbftExtraData) -> bytes:
    """extraData as proposed and as commit seals sign it: round kept, no seals."""
    return codec.encode_for_commit_seal(extra)


def decode_extra_data(data: bytes) -> QbftExtraData:
    """Strict decode; raises :class:`InvalidBlockError` on any deviation."""
    try:
        return codec.decode_extra_data(data)
    except ExtraDataError as exc:
        raise InvalidBlockError(f"invalid QBFT extraData: {exc}") from exc
