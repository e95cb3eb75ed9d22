"""Besu's ``qbft_*`` JSON-RPC methods: validator votes and validator sets per block.

- ``qbft_proposeValidatorVote(address, add)``: this validator casts the vote in the
  blocks it proposes until the change is in effect or the vote is discarded;
- ``qbft_discardValidatorVote(address)``: forget that proposal;
- ``qbft_getPendingVotes``: ``{address: add}`` of this node's proposals;
- ``qbft_getValidatorsByBlockNumber(tag)`` / ``qbft_getValidatorsByBlockHash(hash)``: the
  validators that seal that block (its extraData list), ``null`` for an unknown block.

Votes exist only on a consortium node: a ``--dev`` chain has one validator, and a vote
that passed there would leave it without a sealing quorum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.abc import BlockHeaderAPI

from govchain_node.chain import Ledger
from govchain_node.consensus.voting import VoteProposals, sealing_validators
from govchain_node.errors import RpcReplyError
from govchain_node.rpc import params as p
from govchain_node.rpc.protocol import SERVER_ERROR

Handler = Callable[[list[Any]], Any]


class QbftMethods:
    """The ``qbft_*`` method table over the ledger and (on a consortium node) its votes."""

    def __init__(self, ledger: Ledger, votes: VoteProposals | None) -> None:
        self._ledger = ledger
        self._votes = votes
        self.table: dict[str, Handler] = {
            "qbft_proposeValidatorVote": self.propose_validator_vote,
            "qbft_discardValidatorVote": self.discard_validator_vote,
            "qbft_getPendingVotes": self.get_pending_votes,
            "qbft_getValidatorsByBlockNumber": self.get_validators_by_block_number,
            "qbft_getValidatorsByBlockHash": self.get_validators_by_block_hash,
        }

    def _proposals(self) -> VoteProposals:
        if self._votes is None:
            raise RpcReplyError(SERVER_ERROR, "validator votes need a consortium node")
        return self._votes

    def propose_validator_vote(self, params: list[Any]) -> bool:
        p.check_arity(params, 2)
        recipient = p.address(p.arg(params, 0, "address"))
        add = p.boolean(p.arg(params, 1, "add"), "add")
        self._proposals().propose(recipient, add)
        return True

    def discard_validator_vote(self, params: list[Any]) -> bool:
        p.check_arity(params, 1)
        self._proposals().discard(p.address(p.arg(params, 0, "address")))
        return True

    def get_pending_votes(self, params: list[Any]) -> dict[str, bool]:
        p.check_arity(params, 0)
        pending = self._votes.pending() if self._votes is not None else {}
        return {_hex(recipient): add for recipient, add in pending.items()}

    def get_validators_by_block_number(self, params: list[Any]) -> list[str] | None:
        p.check_arity(params, 1)
        tag = p.arg(params, 0, "block")
        head: int = self._ledger.head.block_number
        number: int
        if tag in ("latest", "pending", "safe", "finalized"):
            number = head
        elif tag == "earliest":
            number = 0
        else:
            number = p.quantity(tag, "block number")
        return _validators(self._ledger.header_by_number(number))

    def get_validators_by_block_hash(self, params: list[Any]) -> list[str] | None:
        p.check_arity(params, 1)
        block_hash = p.hash32(p.arg(params, 0, "block hash"), "block hash")
        return _validators(self._ledger.header_by_hash(block_hash))


def _hex(address: bytes) -> str:
    """Lower-case, as Besu writes addresses in these answers."""
    return "0x" + address.hex()


def _validators(header: BlockHeaderAPI | None) -> list[str] | None:
    if header is None:
        return None
    return [_hex(v) for v in sealing_validators(header)]
