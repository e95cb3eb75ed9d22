"""State classes for ``eth_call`` and ``eth_estimateGas``: one scratch state at the head
serves many calls, each undone by a snapshot revert.

py-evm's state is built for executing one block, and three of its habits cost a call
server dearly:

- the account database keeps the set of every trie node read (a block witness) and
  copies it whole on each ``get_code``; a state reused for thousands of calls reads
  ever more nodes, so every call got slower than the one before. Calls need no witness;
- a call at gas price 0 moves no fee, yet py-evm debits the zero fee (a read and a
  re-encoding of the sender's account), raises the nonce of a sender without code,
  which nothing in the call can observe, and formats a debug line it then drops;
- every call reads the called account and its code again (the account cache is
  dropped by each revert). Every call starts from the same state, so the call state
  keeps the code per called address, and whether a sender has code, for the next call.

Execution results are unchanged: all three are bookkeeping beside the EVM semantics.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from eth.abc import MessageAPI, SignedTransactionAPI, StateAPI
from eth.constants import CREATE_CONTRACT_ADDRESS, EMPTY_SHA3
from eth.vm.message import Message
from eth_typing import Address

#: Transaction types without blobs or authorisations (legacy spoofed calls have None).
_PLAIN_TYPES = frozenset({None, 0, 1, 2})


def is_free_call(state: StateAPI, transaction: SignedTransactionAPI) -> bool:
    """A message call (not a create) of a plain type at gas price 0."""
    return (
        transaction.to != CREATE_CONTRACT_ADDRESS
        and getattr(transaction, "type_id", None) in _PLAIN_TYPES
        and state.get_gas_price(transaction) == 0
    )


def _unchanged(state: Any) -> bool:
    """Whether ``state`` holds no change of accounts or code since it was opened.

    Looks into py-evm's (pinned) account database: its two journals hold the changes.
    """
    account_db = state._account_db
    return not (
        account_db._journaltrie._journal._current_values
        or account_db._journaldb._journal._current_values
    )


@functools.cache
def call_state_class(state_class: type[StateAPI]) -> type[StateAPI]:
    """``state_class`` without witness tracking and without the zero fee debit of free
    calls."""
    base_db: Any = state_class.get_account_db_class()

    class CallAccountDB(base_db):  # type: ignore[misc]
        def _get_accessed_node_hashes(self) -> frozenset[bytes]:
            return frozenset()

    base_executor: Any = state_class.transaction_executor_class

    class CallExecutor(base_executor):  # type: ignore[misc]
        def build_evm_message(self, transaction: SignedTransactionAPI) -> MessageAPI:
            state = self.vm_state
            if not is_free_call(state, transaction):
                message: MessageAPI = super().build_evm_message(transaction)
                return message
            # No opcode reads a nonce; only a sender with code (EIP-7702 delegation) can
            # create contracts whose addresses depend on it.
            if state.sender_has_code(transaction.sender):
                state.increment_nonce(transaction.sender)
            code, delegation = state.starting_code(self, transaction.to)
            return Message(
                gas=transaction.gas - transaction.intrinsic_gas,
                to=transaction.to,
                sender=transaction.sender,
                value=transaction.value,
                data=transaction.data,
                code=code,
                is_delegation=delegation is not None,
            )

    class CallState(state_class):  # type: ignore[valid-type,misc]
        account_db_class = CallAccountDB
        transaction_executor_class = CallExecutor

        def __init__(self, db: Any, execution_context: Any, state_root: bytes) -> None:
            super().__init__(db, execution_context, state_root)
            # Calls start from the state as opened (each is reverted), so what a call
            # reads before executing is the same for all of them; kept and used only
            # while the state holds no change (:func:`_unchanged`).
            self._starting_codes: dict[bytes, tuple[bytes, Address | None]] = {}
            self._senders_with_code: dict[bytes, bool] = {}

        def sender_has_code(self, sender: Address) -> bool:
            if not _unchanged(self):
                return bool(self.get_code_hash(sender) != EMPTY_SHA3)
            known = self._senders_with_code.get(sender)
            if known is None:
                known = self._senders_with_code[sender] = self.get_code_hash(sender) != EMPTY_SHA3
            return known

        def starting_code(self, executor: Any, address: Address) -> tuple[bytes, Address | None]:
            """``executor.get_code_at_address(address)``, read once per address."""
            if not _unchanged(self):
                return cast(tuple[bytes, Address | None], executor.get_code_at_address(address))
            known = self._starting_codes.get(address)
            if known is None:
                known = self._starting_codes[address] = executor.get_code_at_address(address)
            elif known[1] is not None:
                self.mark_address_warm(known[1])  # as get_code_at_address does
            return known

    CallState.__name__ = CallState.__qualname__ = "Call" + state_class.__name__
    return cast(type[StateAPI], CallState)
