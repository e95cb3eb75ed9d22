"""Read-only EVM execution at a block: calls, gas estimates and account proofs.

This sits below the RPC layer: values in, values out (bytes and ints, never hex
dicts), errors from the node's tree (:class:`~govchain_node.errors.CallError`). The
JSON-RPC methods parse their parameters into a :class:`CallRequest` and format the
answers; the node's own read-only calls (the IssuerRegistry's ``isActive`` behind
the transaction permission check) come here directly.

A call runs on the calling thread's scratch state (``Ledger.call_state``) and is
undone; the RPC layer decides which thread that is (:mod:`govchain_node.rpc.calls`).
"""

from __future__ import annotations

import dataclasses
from typing import cast

import rlp
from eth.abc import BlockHeaderAPI, ComputationAPI, SignedTransactionAPI, StateAPI
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.exceptions import Revert
from eth.vm.spoof import SpoofTransaction
from eth_hash.auto import keccak
from eth_typing import Address
from eth_utils.exceptions import ValidationError
from trie.hexary import HexaryTrie

from govchain_node.chain import Ledger
from govchain_node.errors import CallError, CallRevertedError
from govchain_node.vm import GovchainVM

ZERO_ADDRESS = bytes(20)


@dataclasses.dataclass(frozen=True)
class CallRequest:
    """A message call as ``eth_call`` takes it (no signature, no fee)."""

    to: bytes = b""
    """The callee; empty to run ``data`` as contract creation code."""
    data: bytes = b""
    sender: bytes = ZERO_ADDRESS
    gas: int | None = None
    """``None``: the block's gas limit. Capped by the node's ``rpc_gas_cap`` either way."""
    value: int = 0


@dataclasses.dataclass(frozen=True)
class StorageProof:
    slot: int
    value: int
    proof: tuple[bytes, ...]
    """RLP-encoded trie nodes from the storage root to the slot."""


@dataclasses.dataclass(frozen=True)
class AccountProof:
    """EIP-1186: an account and some of its storage slots, with Merkle-Patricia proofs."""

    address: bytes
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes
    proof: tuple[bytes, ...]
    """RLP-encoded trie nodes from the block's state root to the account."""
    storage: tuple[StorageProof, ...]


def _computation_error(computation: ComputationAPI) -> CallError:
    if isinstance(computation.error, Revert):
        return CallRevertedError(bytes(computation.output))
    text = str(computation.error) or type(computation.error).__name__
    return CallError(text.lower() if len(text) < 200 else text[:200])


def _validation_message(exc: ValidationError) -> str:
    """py-evm's refusal of the call transaction, in the words clients match on."""
    text = str(exc)
    if "balance" in text.lower() or "funds" in text.lower():
        return "insufficient funds for gas * price + value"
    if "intrinsic" in text.lower() or "Insufficient gas" in text:
        return "intrinsic gas too low"
    return text


class Execution:
    """Calls, gas estimates and proofs on the ledger's state at a given block."""

    def __init__(self, ledger: Ledger, gas_cap: int) -> None:
        self._ledger = ledger
        self._gas_cap = gas_cap

    def call(self, request: CallRequest, header: BlockHeaderAPI) -> bytes:
        """The call's return data; :class:`CallError` (or a revert) if it fails."""
        state = self._ledger.call_state(header)
        computation = self._execute(self._transaction(request, header, state), state, False)
        if computation.is_error:
            raise _computation_error(computation)
        return bytes(computation.output)

    def estimate_gas(self, request: CallRequest, header: BlockHeaderAPI) -> int:
        """The least gas with which the call succeeds (as a real transaction would run)."""
        state = self._ledger.call_state(header)
        tx = self._transaction(request, header, state)
        computation = self._execute(tx, state, True)
        if computation.is_error:
            raise _computation_error(computation)
        # Gas consumed before refunds is the first candidate; the 63/64 rule for nested
        # calls can require more, which the binary search below finds.
        low = tx.intrinsic_gas + computation.get_gas_used()
        high = tx.gas
        if self._succeeds(request, header, state, low):
            return low
        while low + 1 < high:
            mid = (low + high) // 2
            if self._succeeds(request, header, state, mid):
                high = mid
            else:
                low = mid
        return high

    def _succeeds(
        self, request: CallRequest, header: BlockHeaderAPI, state: StateAPI, gas: int
    ) -> bool:
        tx = self._transaction(dataclasses.replace(request, gas=gas), header, state)
        try:
            return not self._execute(tx, state, True).is_error
        except CallError:
            return False

    def _transaction(
        self, request: CallRequest, header: BlockHeaderAPI, state: StateAPI
    ) -> SignedTransactionAPI:
        gas = min(header.gas_limit if request.gas is None else request.gas, self._gas_cap)
        # The scratch state is at ``header``: its nonce is the account's nonce there.
        nonce = int(state.get_nonce(Address(request.sender)))
        unsigned = GovchainVM.create_unsigned_transaction(
            nonce=nonce,
            gas_price=0,
            gas=gas,
            to=Address(request.to),
            value=request.value,
            data=request.data,
        )
        # A SpoofTransaction quacks like a signed transaction with a chosen sender.
        return cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=request.sender))

    @staticmethod
    def _execute(tx: SignedTransactionAPI, state: StateAPI, finalize: bool) -> ComputationAPI:
        """Run ``tx`` on the scratch ``state`` and undo it.

        With ``finalize=False`` (a call) the executor's refund and fee settlement is
        skipped, as its effects are thrown away anyway; output, logs and revert data are
        the same. A gas estimate keeps the full path so its figure matches a real
        transaction.
        """
        snapshot = state.snapshot()
        try:
            # The call transaction already has gas price 0 (and the state a zero base fee),
            # so it runs as is; costless_execute_transaction would deep-copy it twice.
            if finalize:
                computation: ComputationAPI = state.apply_transaction(tx)
            else:
                executor = state.get_transaction_executor()
                executor.validate_transaction(tx)
                message = executor.build_evm_message(tx)
                computation = executor.build_computation(message, tx)
        except ValidationError as exc:
            raise CallError(_validation_message(exc)) from exc
        finally:
            state.revert(snapshot)
        return computation

    def account_proof(
        self, address: bytes, slots: list[int], header: BlockHeaderAPI
    ) -> AccountProof:
        """The account at ``header`` and the given storage slots, with their proofs."""
        db = self._ledger.buffer
        state_trie = HexaryTrie(db, header.state_root)
        account_key = keccak(address)
        account_proof = state_trie.get_proof(account_key)  # type: ignore[no-untyped-call]
        encoded = state_trie.get(account_key)
        nonce, balance, storage_root, code_hash = 0, 0, BLANK_ROOT_HASH, EMPTY_SHA3
        if encoded:
            raw_nonce, raw_balance, storage_root, code_hash = rlp.decode(encoded)
            nonce = int.from_bytes(raw_nonce, "big")
            balance = int.from_bytes(raw_balance, "big")
        storage_trie = HexaryTrie(db, storage_root)
        storage = []
        for slot in slots:
            slot_key = keccak(slot.to_bytes(32, "big"))
            raw_value = storage_trie.get(slot_key)
            value = int.from_bytes(rlp.decode(raw_value), "big") if raw_value else 0
            nodes = storage_trie.get_proof(slot_key)  # type: ignore[no-untyped-call]
            storage.append(StorageProof(slot, value, tuple(rlp.encode(n) for n in nodes)))
        return AccountProof(
            address=address,
            nonce=nonce,
            balance=balance,
            storage_root=bytes(storage_root),
            code_hash=bytes(code_hash),
            proof=tuple(rlp.encode(n) for n in account_proof),
            storage=tuple(storage),
        )
