"""The eth_call state: same results as py-evm's state, no witness, shared jump analysis."""

from __future__ import annotations

from typing import Any

from eth.vm.message import Message
from eth_typing import Address

from govchain_node.callstate import call_state_class
from govchain_node.chain import Ledger
from govchain_node.storage import MemoryStore
from tests.unit.node.test_ledger import USER, spec

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
    ledger = Ledger(MemoryStore(), spec())
    plain = ledger.state_at(ledger.head)
    call = ledger.call_state(ledger.head)
    assert type(call) is call_state_class(type(plain))
    for state in (plain, call):
        computation = run(state, RUNTIME)
        assert computation.is_success
        assert int.from_bytes(computation.output, "big") == 7


def test_call_state_shares_jump_analysis_between_calls() -> None:
    ledger = Ledger(MemoryStore(), spec())
    state = ledger.call_state(ledger.head)
    first, second = run(state, RUNTIME), run(state, RUNTIME)
    assert first.code.valid_positions is second.code.valid_positions
    assert 5 in first.code.valid_positions
    plain = ledger.state_at(ledger.head)
    assert run(plain, RUNTIME).code.valid_positions is not first.code.valid_positions


def test_call_state_keeps_no_witness_of_the_nodes_it_read() -> None:
    ledger = Ledger(MemoryStore(), spec())
    state: Any = ledger.call_state(ledger.head)
    assert state.get_balance(Address(USER.address)) > 0
    account_db = state._account_db
    assert account_db._get_accessed_node_hashes() == frozenset()
    # py-evm's block state does record them (what the call state leaves out).
    block_state: Any = ledger.state_at(ledger.head)
    block_state.get_balance(Address(USER.address))
    assert block_state._account_db._get_accessed_node_hashes()
