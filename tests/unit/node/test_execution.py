"""The execution layer below the RPC: calls, gas estimates and account proofs as values.

The JSON-RPC suite (tests/integration/node) checks the same paths against Hardhat; here
the layer is driven directly, as the transaction permission check drives it.
"""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak
from eth_typing import Address

from govchain_node.chain import Ledger
from govchain_node.errors import CallError, CallRevertedError
from govchain_node.execution import CallRequest, Execution
from govchain_node.storage import MemoryKeyValueStore
from tests.support.dev_ledger import USER, spec

#: Creation code returning the 32-byte word 42: PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
RETURNS_42 = bytes.fromhex("602a60005260206000f3")
#: Creation code reverting with 32 bytes of data: … MSTORE PUSH1 32 PUSH1 0 REVERT
REVERTS = bytes.fromhex("602a60005260206000fd")
#: INVALID (0xfe): an EVM error that is not a revert.
INVALID = bytes.fromhex("fe")


@pytest.fixture
def execution() -> Execution:
    return Execution(Ledger(MemoryKeyValueStore(), spec()), gas_cap=1_000_000)


def test_a_call_returns_its_output_as_bytes(execution: Execution) -> None:
    output = execution.call(CallRequest(data=RETURNS_42), execution._ledger.head)
    assert output == (42).to_bytes(32, "big")


def test_a_revert_carries_its_data_and_other_failures_their_text(execution: Execution) -> None:
    head = execution._ledger.head
    with pytest.raises(CallRevertedError) as reverted:
        execution.call(CallRequest(data=REVERTS), head)
    assert reverted.value.output == (42).to_bytes(32, "big")
    with pytest.raises(CallError) as failed:
        execution.call(CallRequest(data=INVALID), head)
    assert not isinstance(failed.value, CallRevertedError)
    broke = CallRequest(to=USER.address, sender=b"\x99" * 20, value=1)
    with pytest.raises(CallError, match="insufficient funds for gas \\* price \\+ value"):
        execution.call(broke, head)


def test_a_plain_transfer_is_estimated_at_21000_gas(execution: Execution) -> None:
    request = CallRequest(to=bytes(20), sender=USER.address, value=1)
    assert execution.estimate_gas(request, execution._ledger.head) == 21_000


def test_gas_is_capped_by_the_node(execution: Execution) -> None:
    spin = bytes.fromhex("5b600056")  # JUMPDEST PUSH1 0 JUMP: runs out of any gas
    with pytest.raises(CallError, match="out of gas"):
        execution.call(CallRequest(data=spin, gas=10**9), execution._ledger.head)


def test_an_account_proof_matches_the_state_and_starts_at_its_root(execution: Execution) -> None:
    ledger = execution._ledger
    head = ledger.head
    proof = execution.account_proof(USER.address, [0, 1], head)
    state = ledger.state_at(head)
    assert proof.balance == state.get_balance(Address(USER.address)) > 0
    assert proof.nonce == 0
    assert keccak(proof.proof[0]) == head.state_root
    assert [slot.value for slot in proof.storage] == [0, 0]
