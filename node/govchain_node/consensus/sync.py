"""Block sync over p2p codes 0x20-0x2f: wire codecs and the seal check before import.

A node that restarts or falls behind cannot rely on consensus messages alone: QBFT only
runs the *current* height, so blocks finalised while the node was away must be fetched.
Every node announces its head (``STATUS``) to its peers when the head moves and
periodically; a node that sees a higher head asks for the missing blocks
(``GET_BLOCKS``) and imports the answer (``BLOCKS``) one by one, each only after
:func:`verify_seals` found a quorum of distinct commit seals from the *parent's*
validator set (a peer cannot forge a block without a quorum of validator keys) and the
ledger's re-execution matched every root. The set is the block's own: the validators
after its parent, as the header votes on the chain decided (it is also the list in the
block's extraData, which must match).

Payloads are RLP: ``STATUS = [height]``, ``GET_BLOCKS = [first, count]``,
``BLOCKS = [block_rlp, …]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI
from rlp.exceptions import DecodingError, DeserializationError

from govchain_node.codec.extra_data import ExtraData
from govchain_node.consensus.qbft.validators import quorum
from govchain_node.consensus.seals import recover_sealers
from govchain_node.errors import InvalidBlockError
from govchain_node.vm import GovchainVM

STATUS = 0x20
GET_BLOCKS = 0x21
BLOCKS = 0x22
#: Blocks per request: bounds the answer's frame size and the importer's pause.
MAX_BLOCKS_PER_REQUEST = 32


class SyncMessageError(InvalidBlockError):
    """A sync frame could not be decoded."""


def _decode_ints(payload: bytes, count: int) -> tuple[int, ...]:
    try:
        items = rlp.decode(payload)
    except (DecodingError, DeserializationError) as exc:
        raise SyncMessageError(f"undecodable sync frame: {exc}") from exc
    if not isinstance(items, list) or len(items) != count:
        raise SyncMessageError("sync frame has the wrong shape")
    values = []
    for item in items:
        if not isinstance(item, bytes) or len(item) > 8 or item[:1] == b"\x00":
            raise SyncMessageError("sync frame field is not a minimal 64-bit integer")
        values.append(int.from_bytes(item, "big"))
    return tuple(values)


def encode_status(height: int) -> bytes:
    return bytes(rlp.encode([height]))


def decode_status(payload: bytes) -> int:
    return _decode_ints(payload, 1)[0]


def encode_get_blocks(first: int, count: int) -> bytes:
    return bytes(rlp.encode([first, count]))


def decode_get_blocks(payload: bytes) -> tuple[int, int]:
    first, count = _decode_ints(payload, 2)
    return first, min(count, MAX_BLOCKS_PER_REQUEST)


def encode_block(block: BlockAPI) -> bytes:
    return bytes(rlp.encode(block))


def decode_block(raw: bytes) -> BlockAPI:
    """An RLP block of our VM's type; :class:`SyncMessageError` if it is not one."""
    try:
        block: BlockAPI = rlp.decode(raw, sedes=GovchainVM.get_block_class())
    except (DecodingError, DeserializationError, ValueError) as exc:
        raise SyncMessageError(f"undecodable block: {exc}") from exc
    return block


def encode_blocks(blocks: Sequence[bytes]) -> bytes:
    return bytes(rlp.encode(list(blocks)))


def decode_blocks(payload: bytes) -> list[bytes]:
    try:
        items = rlp.decode(payload)
    except (DecodingError, DeserializationError) as exc:
        raise SyncMessageError(f"undecodable blocks frame: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, bytes) for i in items):
        raise SyncMessageError("blocks frame is not a list of blocks")
    return list(items)


def verify_seals(
    header: BlockHeaderAPI, parent: BlockHeaderAPI, validators: Sequence[bytes]
) -> ExtraData:
    """The header's extraData, if it names ``validators`` (the sorted set after
    ``parent``) and a quorum of distinct members of that set sealed it.

    Raises :class:`InvalidBlockError` otherwise (also for a seal by a non-validator:
    an honest committer never writes one, so it marks a forged block).
    """
    if header.parent_hash != parent.hash or header.block_number != parent.block_number + 1:
        raise InvalidBlockError("block does not extend its parent")
    extra, sealers = recover_sealers(header)
    if extra.validators != tuple(validators):
        raise InvalidBlockError(
            f"block {header.block_number} lists other validators than the vote tally"
        )
    distinct = set(sealers)
    if len(distinct) != len(sealers) or not distinct <= set(validators):
        raise InvalidBlockError("block carries duplicate seals or seals of non-validators")
    if len(distinct) < quorum(len(validators)):
        raise InvalidBlockError(
            f"block {header.block_number} has {len(distinct)} commit seals, "
            f"needs {quorum(len(validators))}"
        )
    return extra
