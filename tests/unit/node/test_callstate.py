"""The eth_call state: same results as py-evm's state, no witness, no zero-fee debit."""

from __future__ import annotations

from typing import Any

from eth.vm.message import Message
from eth.vm.spoof import SpoofTransaction
from eth_typing import Address

from govchain_node.callstate import call_state_class, is_free_call
from govchain_node.chain import Ledger
from govchain_node.storage import MemoryKeyValueStore
from govchain_node.vm import GovchainVM
from tests.support.dev_ledger import USER, spec

CONTRACT = Address(b"\x42" * 20)
# PUSH1 5, JUMP, PUSH1 0x5b (data: not a destination), JUMPDEST,
# PUSH1 7, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN
RUNTIME = bytes.fromhex("600556605b5b60076000526020" + "6000f3")


def run(state: Any, code: bytes) -> Any:
    message = Message(
        gas=100_000, to=CONTRACT, sender=Address(USER.address), value=0, data=b"", code=code
    )
    context = state.get_transaction_context_class()(gas_price=0, origin=USER.address)
    return state.computation_class.apply_message(state, message, context)


def test_call_state_executes_like_the_block_state() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    plain = ledger.state_at(ledger.head)
    call = ledger.call_state(ledger.head)
    assert type(call) is call_state_class(type(plain))
    for state in (plain, call):
        computation = run(state, RUNTIME)
        assert computation.is_success
        assert int.from_bytes(computation.output, "big") == 7


def test_call_state_keeps_no_witness_of_the_nodes_it_read() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    state: Any = ledger.call_state(ledger.head)
    assert state.get_balance(Address(USER.address)) > 0
    account_db = state._account_db
    assert account_db._get_accessed_node_hashes() == frozenset()
    # py-evm's block state does record them (what the call state leaves out).
    block_state: Any = ledger.state_at(ledger.head)
    block_state.get_balance(Address(USER.address))
    assert block_state._account_db._get_accessed_node_hashes()


def spoofed_call(state: Any, to: bytes, gas_price: int = 0) -> Any:
    nonce = state.get_nonce(Address(USER.address))
    unsigned = GovchainVM.create_unsigned_transaction(
        nonce=nonce, gas_price=gas_price, gas=100_000, to=Address(to), value=0, data=b""
    )
    return SpoofTransaction(unsigned, from_=Address(USER.address))


def test_free_call_message_matches_py_evm() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    results = []
    for state in (ledger.state_at(ledger.head), ledger.call_state(ledger.head)):
        snapshot = state.snapshot()
        state.set_code(CONTRACT, RUNTIME)
        computation = state.apply_transaction(spoofed_call(state, CONTRACT))
        balance = state.get_balance(Address(USER.address))
        results.append((computation.output, computation.get_gas_used(), balance))
        state.revert(snapshot)
    assert results[0] == results[1]
    assert int.from_bytes(results[1][0], "big") == 7


def test_only_message_calls_at_gas_price_zero_are_free() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    state = ledger.call_state(ledger.head)
    assert is_free_call(state, spoofed_call(state, CONTRACT))
    assert not is_free_call(state, spoofed_call(state, b""))
    assert not is_free_call(state, spoofed_call(state, CONTRACT, gas_price=1))


def test_free_call_raises_the_nonce_only_of_a_sender_with_code() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    state = ledger.call_state(ledger.head)
    sender = Address(USER.address)
    state.set_code(CONTRACT, RUNTIME)
    before = state.get_nonce(sender)
    state.get_transaction_executor().build_evm_message(spoofed_call(state, CONTRACT))
    assert state.get_nonce(sender) == before
    state.set_code(sender, b"\x00")
    state.get_transaction_executor().build_evm_message(spoofed_call(state, CONTRACT))
    assert state.get_nonce(sender) == before + 1


def test_call_state_reads_called_code_once_while_it_holds_no_change() -> None:
    ledger = Ledger(MemoryKeyValueStore(), spec())
    state: Any = ledger.call_state(ledger.head)
    executor = state.get_transaction_executor()
    reads: list[bytes] = []
    read_code = executor.get_code_at_address

    def counting(address: bytes) -> Any:
        reads.append(address)
        return read_code(address)

    executor.get_code_at_address = counting
    for _ in range(3):
        assert state.starting_code(executor, CONTRACT) == (b"", None)
    assert reads == [CONTRACT]
    snapshot = state.snapshot()
    state.set_code(CONTRACT, RUNTIME)
    assert state.starting_code(executor, CONTRACT) == (RUNTIME, None)
    state.revert(snapshot)
    assert state.starting_code(executor, CONTRACT) == (b"", None)
