"""Commit seals: secp256k1 signatures over the header hash without seals, round kept.

This is not the block hash (``header.hash``, which also sets the round to 0, see
:mod:`govchain_node.vm`): a seal binds the round in which it was produced.
"""

from __future__ import annotations

from eth.abc import BlockHeaderAPI
from eth_keys import datatypes as eth_keys_api
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError as EthKeysValidationError

from govchain_node.codec.extra_data import ExtraData, commit_seal_hash, decode_extra_data
from govchain_node.errors import InvalidBlockError


def seal_digest(header: BlockHeaderAPI) -> bytes:
    """The hash commit seals sign: ``header`` with an empty seal list in its extraData."""
    return commit_seal_hash(type(header).serialize(header))  # ExtraDataError: a bad block


def recover_sealers(header: BlockHeaderAPI) -> tuple[ExtraData, tuple[bytes, ...]]:
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
