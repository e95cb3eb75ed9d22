"""The anchor step's transaction check on the shared vectors (tests/vectors/anchor_tx.json),
run through the Python core as tests/js/anchor-tx.test.mjs runs them through the page.

The node is the SDK's ``RpcChainReader`` over an ``httpx.MockTransport`` that answers
each JSON-RPC call from the case, exactly as the JavaScript test's fake ``fetch`` does:
the same receipt (receipts.json ``valid[0]``), the same chain answers and the same
expected verdict and named field (``details["field"]``).  The JS test also pins the
page's step code; the core has no codes, so the message is not compared."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from eth_abi.abi import encode

from govchain_client import abi
from govchain_client.chain_reader import RpcChainReader
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.receipt_codec import receipt_from_object
from govchain_core.verify import ANCHORED_TOPIC, StepResult, verify_receipt
from tests.conftest import load_vectors

VECTORS = load_vectors("anchor_tx.json")
RECEIPT = load_vectors("receipts.json")["valid"][0]["receipt"]
ISSUERS = "0x" + "b6" * 20
STATUS = "0x" + "c7" * 20
NODE = "http://node.test"


def _set_pointer(target: Any, pointer: str, value: Any) -> None:
    *keys, last = pointer.split("/")[1:]
    for key in keys:
        target = target[int(key) if isinstance(target, list) else key]
    target[int(last) if isinstance(target, list) else last] = value


def _selector(signature: str) -> str:
    return abi.call_data(signature)[2:10]


def _eth_calls(case: dict[str, Any]) -> dict[tuple[str, str], bytes]:
    checkpoint = {**VECTORS["checkpoint"], **case.get("checkpoint_set", {})}
    issuer = ("Bürgeramt Musterstadt", "05315000", 1, 0, 0, True, 1, 0)
    return {
        (VECTORS["registry"], _selector("AnchorRegistry.checkpoint(address,uint64)")): encode(
            ["bytes32", "uint64", "uint64"],
            [
                bytes.fromhex(checkpoint["root"]),
                checkpoint["block_number"],
                checkpoint["timestamp"],
            ],
        ),
        (ISSUERS, _selector("IssuerRegistry.getIssuer(address)")): encode(
            ["(string,string,uint8,uint64,uint64,bool,uint64,uint64)"], [issuer]
        ),
        (STATUS, _selector("StatusRegistry.status(address,bytes32)")): encode(
            ["uint8", "uint64", "bytes32", "uint32"], [0, 0, b"\x00" * 32, 0]
        ),
    }


def _node(case: dict[str, Any]) -> httpx.MockTransport:
    """A node answering the verifier's reads as the case says (as ``nodeFor`` in JS)."""
    tx = copy.deepcopy(VECTORS["tx_receipt"])
    for pointer, value in case.get("tx_set", {}).items():
        _set_pointer(tx, pointer, value)
    block_hash = case.get("block_hash", VECTORS["block_hash"])
    calls = _eth_calls(case)

    def answer(request: httpx.Request) -> httpx.Response:
        call = json.loads(request.content)
        method, params = call["method"], call["params"]
        result: Any = None
        if method == "eth_chainId":
            result = "0x539"
        elif method == "eth_getTransactionReceipt":
            unknown = "tx_receipt" in case or params[0] != tx["transactionHash"]
            result = None if unknown else tx
        elif method == "eth_getBlockByNumber":
            result = {"hash": block_hash, "number": params[0]}
        elif method == "eth_blockNumber":  # the node has reached the anchoring block
            result = hex(VECTORS["checkpoint"]["block_number"])
        elif method == "eth_call":
            data = calls.get((params[0]["to"], params[0]["data"][2:10]))
            result = "0x" + data.hex() if data is not None else "0x"
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": call["id"], "result": result})

    return httpx.MockTransport(answer)


def _anchor_step(case: dict[str, Any]) -> tuple[str, StepResult]:
    obj = copy.deepcopy(RECEIPT)
    for pointer, value in case.get("receipt_set", {}).items():
        _set_pointer(obj, pointer, value)
    deployment = Deployment(1337, VECTORS["registry"], ISSUERS, STATUS)
    with JsonRpcClient(NODE, transport=_node(case)) as rpc:
        report = verify_receipt(receipt_from_object(obj), RpcChainReader(rpc, deployment))
    (anchor,) = [step for step in report.steps if step.name == "anchor"]
    return str(report.verdict), anchor


def test_the_anchored_topic_is_the_vectors() -> None:
    assert "0x" + ANCHORED_TOPIC.hex() == VECTORS["anchored_topic"]


def test_every_case_of_the_page_is_here() -> None:
    assert len(VECTORS["cases"]) == 23
    assert len({case["name"] for case in VECTORS["cases"]}) == 23


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["name"])
def test_anchor_transaction_vector(case: dict[str, Any]) -> None:
    verdict, anchor = _anchor_step(case)
    assert verdict == case["verdict"], anchor
    assert anchor.details.get("field") == case["field"], anchor
    if case["verdict"] == "could_not_check":
        assert anchor.details["url"] == NODE
