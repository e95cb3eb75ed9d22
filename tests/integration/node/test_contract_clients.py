"""The test contract deployed and used through web3.py and through an ethers v6 script,
on the govchain node and on the reference node (the same assertions for both)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.middleware import ExtraDataToPOAMiddleware

from tests.integration.node.conftest import Endpoint
from tests.support.node_contracts import NODE_BIN, anchor_like

SCRIPT = Path(__file__).with_name("ethers_roundtrip.mjs")


def web3_for(endpoint: Endpoint) -> Web3:
    w3 = Web3(Web3.HTTPProvider(endpoint.rpc.url))
    # QBFT extraData is longer than 32 bytes, as on Besu; web3.py needs this middleware.
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


def test_web3py_deploy_transact_call_events(endpoint: Endpoint) -> None:
    w3 = web3_for(endpoint)
    account = endpoint.account
    compiled = anchor_like()
    factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)

    def send(tx: Any) -> dict[str, Any]:
        tx.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
        signed = account.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        return dict(w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.05))

    receipt = send(factory.constructor().build_transaction({"from": account.address}))
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
    key = keccak(b"web3py:" + endpoint.name.encode() + str(receipt["blockNumber"]).encode())
    root = keccak(b"web3py-root")
    receipt = send(
        contract.functions.anchor(key, root).build_transaction({"from": account.address})
    )
    assert receipt["status"] == 1
    assert contract.functions.roots(key).call() == root
    events = contract.events.Anchored().process_receipt(receipt)
    assert events[0]["args"]["key"] == key
    assert events[0]["args"]["by"] == account.address
    logs = contract.events.Anchored().get_logs(
        from_block=receipt["blockNumber"], argument_filters={"key": key}
    )
    assert [log["transactionHash"] for log in logs] == [receipt["transactionHash"]]
    with pytest.raises(ContractLogicError, match="x must be positive"):
        contract.functions.mustBePositive(0).call()
    with pytest.raises(ContractCustomError):
        contract.functions.anchor(key, root).call({"from": account.address})
    block = w3.eth.get_block(receipt["blockNumber"])
    assert block["hash"] == receipt["blockHash"]


def test_ethers_v6_deploy_transact_call_events(endpoint: Endpoint, tmp_path: Path) -> None:
    compiled = anchor_like()
    artifact = tmp_path / "AnchorLike.json"
    artifact.write_text(
        json.dumps({"abi": compiled.abi, "bytecode": "0x" + compiled.bytecode.hex()})
    )
    result = subprocess.run(
        [str(NODE_BIN), str(SCRIPT), endpoint.rpc.url, endpoint.account.key.hex(), str(artifact)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["chainId"] == str(endpoint.chain_id)
    assert seen["status"] == 1
    assert seen["stored"] == seen["expected"]
    assert seen["revertReason"] == "x must be positive"
    assert seen["customError"] == "AlreadyAnchored"
    assert seen["events"] == 1
    assert seen["eventKey"] == seen["key"]
    assert seen["blockHash"] == seen["receiptBlockHash"]
