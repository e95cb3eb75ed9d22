"""The govchain fork: Prague with QBFT headers and a zero base fee.

Following py-evm's habit, the fork overrides only what differs from Prague:

- ``extraData`` holds the QBFT RLP structure, larger than Prague's 32 bytes;
- the block hash is Besu's QBFT on-chain hash (:class:`GovchainBlockHeader`): the header
  with an empty commit-seal list and round 0 in its extraData, so every validator that
  commits a block with the (different, equally valid) seals it collected stores, links
  and serves the same hash. Headers read back from the database are of that class too
  (:class:`GovchainChainDB`);
- no deposit contract, so no deposit requests (Prague scans all receipts for them);
- the base fee is always zero (Besu's ``zeroBaseFee``): a permissioned chain bounds
  load with the block gas limit and the allow-list, not with a fee market, so gas
  price zero must stay valid however full the blocks are;
- messages run through the faster opcode loop of :mod:`govchain_node.interpreter`
  (same results as Prague's).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, cast

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI
from eth.chains.base import Chain
from eth.db.chain import ChainDB
from eth.exceptions import HeaderNotFound
from eth.validation import validate_gas_limit, validate_word
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader
from eth.vm.forks.prague.constants import DEPOSIT_REQUEST_TYPE
from eth.vm.forks.shanghai.withdrawals import Withdrawal
from eth_hash.auto import keccak
from eth_typing import Hash32
from eth_utils.exceptions import ValidationError
from rlp.sedes import CountableList

from govchain_node.codec.errors import ExtraDataError
from govchain_node.codec.extra_data import MAX_EXTRA_DATA_BYTES, block_hash
from govchain_node.interpreter import GovchainState


class GovchainBlockHeader(PragueBlockHeader):
    """A Prague header whose ``hash`` leaves out the commit seals (Besu's on-chain hash).

    Block 0 keeps the plain header hash, as in Besu (its extraData is hashed as written).
    A header whose extraData is not QBFT extraData never passes validation; it still
    gets a deterministic hash (the plain one) so that logging or rejecting it cannot fail.
    """

    @property
    def hash(self) -> Hash32:
        if self._hash is None:
            self._hash = _onchain_hash(self)
        return cast(Hash32, self._hash)


def _onchain_hash(header: PragueBlockHeader) -> bytes:
    if header.block_number == 0:
        return bytes(keccak(rlp.encode(header)))
    try:
        return block_hash(type(header).serialize(header))
    except ExtraDataError:
        return bytes(keccak(rlp.encode(header)))


class GovchainBlock(PragueBlock):
    """A Prague block made of :class:`GovchainBlockHeader` (decoded from peers as such)."""

    fields = [  # noqa: RUF012 (pyrlp reads the field list from the class)
        ("header", GovchainBlockHeader),
        ("transactions", CountableList(PragueBlock.transaction_builder)),
        ("uncles", CountableList(None, max_length=0)),
        ("withdrawals", CountableList(Withdrawal)),
    ]


@functools.lru_cache(256)
def _decode_header(header_rlp: bytes) -> GovchainBlockHeader:
    header: GovchainBlockHeader = rlp.decode(header_rlp, sedes=GovchainBlockHeader)
    return header


class GovchainChainDB(ChainDB):
    """py-evm's chain database, decoding stored headers as :class:`GovchainBlockHeader`
    (py-evm's own decoder picks the stock Prague class, whose hash covers the seals)."""

    @staticmethod
    def _get_block_header_by_hash(db: Any, block_hash: Hash32) -> BlockHeaderAPI:
        validate_word(block_hash, title="Block Hash")
        try:
            header_rlp = db[block_hash]
        except KeyError:
            raise HeaderNotFound(f"No header with hash 0x{block_hash.hex()} found") from None
        return _decode_header(bytes(header_rlp))


def _create_header_from_parent(
    parent_header: BlockHeaderAPI | None, **header_params: Any
) -> BlockHeaderAPI:
    if parent_header is None:
        header_params.setdefault("base_fee_per_gas", 0)
        header: BlockHeaderAPI = PragueVM.create_header_from_parent(None, **header_params)
        return header
    header_params.pop("base_fee_per_gas", None)
    header = PragueVM.create_header_from_parent(parent_header, **header_params)
    return header.copy(base_fee_per_gas=0)


def _create_govchain_header(
    parent_header: BlockHeaderAPI | None, **header_params: Any
) -> BlockHeaderAPI:
    prague = _create_header_from_parent(parent_header, **header_params)
    fields = cast(dict[str, Any], prague.as_dict())
    return GovchainBlockHeader(**fields)


class GovchainVM(PragueVM):
    """Prague execution with QBFT ``extraData`` and a zero base fee."""

    fork = "govchain-prague"
    block_class = GovchainBlock
    _state_class = GovchainState
    extra_data_max_bytes: ClassVar[int] = MAX_EXTRA_DATA_BYTES
    create_header_from_parent = staticmethod(_create_govchain_header)

    def process_deposit_request_data(self, block: BlockAPI) -> None:
        """No beacon-chain deposit contract exists here, so there are never deposit
        requests; Prague's version re-reads every receipt of the block to find none."""
        block.block_requests.append(DEPOSIT_REQUEST_TYPE)

    @classmethod
    def validate_gas(cls, header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)
        if header.base_fee_per_gas != 0:
            raise ValidationError("govchain blocks have a zero base fee")


def make_chain_class(chain_id: int) -> type[Chain]:
    """A py-evm ``Chain`` class running :class:`GovchainVM` from block 0."""
    return type(
        "GovchainChain",
        (Chain,),
        {
            "vm_configuration": ((0, GovchainVM),),
            "chain_id": chain_id,
            "chaindb_class": GovchainChainDB,
        },
    )
