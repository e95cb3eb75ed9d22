"""The govchain fork: Prague with QBFT headers and a zero base fee.

Following py-evm's habit, the fork overrides only what differs from Prague:

- ``extraData`` holds the QBFT RLP structure, larger than Prague's 32 bytes;
- no deposit contract, so no deposit requests (Prague scans all receipts for them);
- the base fee is always zero (Besu's ``zeroBaseFee``): a permissioned chain bounds
  load with the block gas limit and the allow-list, not with a fee market, so gas
  price zero must stay valid however full the blocks are.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eth.abc import BlockAPI, BlockHeaderAPI
from eth.chains.base import Chain
from eth.validation import validate_gas_limit
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.constants import DEPOSIT_REQUEST_TYPE
from eth_utils.exceptions import ValidationError

from govchain_node.consensus.extra_data import MAX_EXTRA_DATA_BYTES


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


class GovchainVM(PragueVM):
    """Prague execution with QBFT ``extraData`` and a zero base fee."""

    fork = "govchain-prague"
    extra_data_max_bytes: ClassVar[int] = MAX_EXTRA_DATA_BYTES
    create_header_from_parent = staticmethod(_create_header_from_parent)

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
        {"vm_configuration": ((0, GovchainVM),), "chain_id": chain_id},
    )
