"""The ``--dev`` engine: one validator that proposes every block and seals it alone."""

from __future__ import annotations

from eth.abc import BlockHeaderAPI

from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData, decode_extra_data
from govchain_node.consensus.seals import recover_sealers, seal_digest
from govchain_node.errors import InvalidBlockError
from govchain_node.keys import Account


class DevEngine:
    """Single-validator sealing; the validator set is read from the parent's extraData."""

    def __init__(self, validator: Account) -> None:
        self._validator = validator

    @property
    def coinbase(self) -> bytes:
        return self._validator.address

    def may_propose(self, parent: BlockHeaderAPI) -> bool:
        return self._validator.address in decode_extra_data(parent.extra_data).validators

    def proposal_extra(self, parent: BlockHeaderAPI) -> ExtraData:
        validators = decode_extra_data(parent.extra_data).validators
        return ExtraData(b"\x00" * VANITY_LENGTH, validators, None, 0, ())

    def seal(self, unsealed: BlockHeaderAPI) -> tuple[bytes, ...]:
        return (self._validator.sign_hash(seal_digest(unsealed)),)

    def verify(self, header: BlockHeaderAPI, parent: BlockHeaderAPI) -> None:
        validators = set(decode_extra_data(parent.extra_data).validators)
        _extra, sealers = recover_sealers(header)
        if not sealers or not set(sealers) <= validators or len(set(sealers)) != len(sealers):
            raise InvalidBlockError("block is not sealed by the validator set")
        quorum = -(-2 * len(validators) // 3)
        if len(set(sealers)) < quorum:
            raise InvalidBlockError("block has fewer commit seals than the quorum")
