"""The committed artifacts on a second EVM: Hardhat 3 (EDR), through web3.py.

The notary reaches the chain only through JSON-RPC and may run on Besu or any EVM
chain, so the contracts must not depend on py-evm's quirks: the same anchors are
accepted, the same tampered ones rejected with the same custom error, and every
anchor costs exactly the gas the py-evm harness (and the gas benchmark) reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import HTTPProvider, Web3
from web3.contract import Contract as Web3Contract
from web3.exceptions import ContractCustomError

from govchain_contracts import Role, decode_error, load
from tests.integration.contracts.deploy import AGS_KOELN, deploy
from tests.integration.contracts.evm import Chain
from tests.integration.contracts.synthetic import UniformLog
from tests.support.hardhat_node import hardhat_available, start_hardhat

pytestmark = pytest.mark.npm

CASES = ((999, 1000), (511, 1000), (10**6 - 1000, 10**6), (2**29 - 1, 10**9))


class Reference:
    """The three registries on a Hardhat node; its first account is member and issuer."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.account = w3.eth.accounts[0]
        self.registry = self.deploy("IssuerRegistry", [self.account])
        self.transact(
            self.registry.functions.proposeSetIssuer(
                self.account, "Stadt Köln", AGS_KOELN, Role.CERTIFICATE, 0, 0
            )
        )
        self.statuses = self.deploy("StatusRegistry", self.registry.address)

    def deploy(self, name: str, *args: Any) -> Web3Contract:
        artifact = load(name)
        factory = self.w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        receipt = self.transact(factory.constructor(*args))
        contract: Web3Contract = self.w3.eth.contract(
            address=receipt["contractAddress"], abi=list(artifact.abi)
        )
        return contract

    def transact(self, call: Any) -> Any:
        tx_hash = call.transact({"from": self.account})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return receipt


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    if not hardhat_available():
        pytest.fail("Hardhat is not installed: run `npm ci` (scripts/test does)")
    node = start_hardhat(tmp_path_factory.mktemp("hardhat"))
    try:
        yield Reference(Web3(HTTPProvider(node.rpc_url)))
    finally:
        node.stop()


def harness_anchor_gas(old: int, new: int) -> int:
    chain = Chain(account_count=6)
    d = deploy(chain)
    issuer = chain.accounts[5]
    d.register_issuer(issuer)
    log = UniformLog()
    d.anchors.transact("anchor", old, log.root(old), 0, [], sender=issuer)
    proof = log.consistency_proof(old, new)
    return d.anchors.transact("anchor", new, log.root(new), old, proof, sender=issuer).gas_used


@pytest.mark.parametrize(("old", "new"), CASES)
def test_anchor_gas_and_result_match_py_evm(reference: Reference, old: int, new: int) -> None:
    log = UniformLog()
    anchors = reference.deploy("AnchorRegistry", reference.registry.address)
    reference.transact(anchors.functions.anchor(old, log.root(old), 0, []))
    proof = log.consistency_proof(old, new)
    receipt = reference.transact(anchors.functions.anchor(new, log.root(new), old, proof))
    assert receipt["gasUsed"] == harness_anchor_gas(old, new)
    assert anchors.functions.latest(reference.account).call()[:2] == [new, log.root(new)]


def test_tampered_anchor_reverts_with_the_named_error(reference: Reference) -> None:
    log = UniformLog()
    anchors = reference.deploy("AnchorRegistry", reference.registry.address)
    reference.transact(anchors.functions.anchor(5, log.root(5), 0, []))
    proof = log.consistency_proof(5, 9)
    proof[0] = bytes(32)
    with pytest.raises(ContractCustomError) as caught:
        anchors.functions.anchor(9, log.root(9), 5, proof).call({"from": reference.account})
    data = caught.value.data
    assert isinstance(data, str)
    assert decode_error(bytes.fromhex(data.removeprefix("0x"))) == ("InvalidConsistencyProof", ())


def test_status_change_on_the_reference(reference: Reference) -> None:
    leaf = UniformLog().root(3)
    reference.transact(reference.statuses.functions.suspend(leaf, 7))
    state, _, superseded_by, reason = reference.statuses.functions.status(
        reference.account, leaf
    ).call()
    assert (state, superseded_by, reason) == (1, bytes(32), 7)
