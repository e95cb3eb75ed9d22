"""State classes for ``eth_call`` and ``eth_estimateGas``: one scratch state at the head
serves many calls, each undone by a snapshot revert.

py-evm's state is built for executing one block, and two of its habits cost a call
server dearly:

- the account database keeps the set of every trie node read (a block witness) and
  copies it whole on each ``get_code``; a state reused for thousands of calls reads
  ever more nodes, so every call got slower than the one before. Calls need no witness;
- a call at gas price 0 moves no fee, yet py-evm debits the zero fee (a read and a
  re-encoding of the sender's account), raises the nonce of a sender without code,
  which nothing in the call can observe, and formats a debug line it then drops.

Execution results are unchanged: both are bookkeeping beside the EVM semantics.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from eth.abc import (
    AccountDatabaseAPI,
    MessageAPI,
    SignedTransactionAPI,
    StateAPI,
    TransactionExecutorAPI,
)
from eth.constants import CREATE_CONTRACT_ADDRESS, EMPTY_SHA3
from eth.vm.message import Message

#: Transaction types without blobs or authorisations (legacy spoofed calls have None).
_PLAIN_TYPES = frozenset({None, 0, 1, 2})


def is_free_call(state: StateAPI, transaction: SignedTransactionAPI) -> bool:
    """A message call (not a create) of a plain type at gas price 0."""
    return (
        transaction.to != CREATE_CONTRACT_ADDRESS
        and getattr(transaction, "type_id", None) in _PLAIN_TYPES
        and state.get_gas_price(transaction) == 0
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
            if state.get_code_hash(transaction.sender) != EMPTY_SHA3:
                state.increment_nonce(transaction.sender)
            code, delegation = self.get_code_at_address(transaction.to)
            return Message(
                gas=transaction.gas - transaction.intrinsic_gas,
                to=transaction.to,
                sender=transaction.sender,
                value=transaction.value,
                data=transaction.data,
                code=code,
                is_delegation=delegation is not None,
            )

    namespace = {
        "account_db_class": cast(type[AccountDatabaseAPI], CallAccountDB),
        "transaction_executor_class": cast(type[TransactionExecutorAPI], CallExecutor),
    }
    return type("Call" + state_class.__name__, (state_class,), namespace)
