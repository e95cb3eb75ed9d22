"""Commit seals: secp256k1 signatures over the header hash without seals."""

from __future__ import annotations

from eth.abc import BlockHeaderAPI
from eth_keys import datatypes as eth_keys_api
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError as EthKeysValidationError

from govchain_node.consensus.extra_data import (
    QbftExtraData,
    decode_extra_data,
    encode_unsealed,
)
from govchain_node.errors import InvalidBlockError


def seal_digest(header: BlockHeaderAPI) -> bytes:
    """The hash commit seals sign: ``header`` with an empty seal list in its extraData."""
    extra = decode_extra_data(header.extra_data)
    unsealed = header.copy(extra_data=encode_unsealed(extra))
    return bytes(unsealed.hash)


def recover_sealers(header: BlockHeaderAPI) -> tuple[QbftExtraData, tuple[bytes, ...]]:
    """The decoded extraData and the address behind each commit seal."""
    extra = decode_extra_data(header.extra_data)
    digest = seal_digest(header)
    sealers = []
    for seal in extra.seals:
        try:
            public_key = eth_keys_api.Signature(seal).recover_public_key_from_msg_hash(digest)
        except (BadSignature, EthKeysValidationError) as exc:
            raise InvalidBlockError(f"unrecoverable commit seal: {exc}") from exc
        sealers.append(bytes(public_key.to_canonical_address()))
    return extra, tuple(sealers)
