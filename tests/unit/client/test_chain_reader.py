"""The SDK's JSON-RPC ``ChainReader``: the anchoring transaction, and failures as ChainError.

Answers come from an ``httpx.MockTransport``; the same reader runs against a real node
in ``tests/integration/client/test_forged_corpus_stack.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from govchain_client.chain_reader import RpcChainReader
from govchain_client.errors import RpcError
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.errors import ChainError
from govchain_core.verify import ANCHORED_TOPIC, AnchorTransaction, ChainLog

URL = "http://node.test:8545"
REGISTRY = "0x" + "a5" * 20
DEPLOYMENT = Deployment(1337, REGISTRY, "0x" + "b6" * 20, "0x" + "c7" * 20)
TX = b"\xab" * 32
RECEIPT: dict[str, Any] = {
    "status": "0x1",
    "blockNumber": "0x2a",
    "blockHash": "0x" + "cd" * 32,
    "to": "0x" + "A5" * 20,
    "logs": [
        {
            "address": "0x" + "A5" * 20,
            "topics": ["0x" + ANCHORED_TOPIC.hex(), "0x" + "11" * 32, "0x" + "00" * 31 + "07"],
            "data": "0x" + "ee" * 32 + "00" * 32,
        }
    ],
}


def reader(answer: Callable[[str, list[Any]], Any]) -> RpcChainReader:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        result = answer(body["method"], body["params"])
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": result})

    return RpcChainReader(JsonRpcClient(URL, transport=httpx.MockTransport(handle)), DEPLOYMENT)


def test_the_anchoring_transaction_is_read_from_its_receipt() -> None:
    seen: list[Any] = []

    def answer(method: str, params: list[Any]) -> Any:
        seen.append((method, params))
        return RECEIPT

    tx = reader(answer).anchor_transaction(TX)
    assert seen == [("eth_getTransactionReceipt", ["0x" + TX.hex()])]
    assert tx == AnchorTransaction(
        1,
        42,
        b"\xcd" * 32,
        REGISTRY,
        (
            ChainLog(
                REGISTRY,
                (ANCHORED_TOPIC, b"\x11" * 32, (7).to_bytes(32, "big")),
                b"\xee" * 32 + bytes(32),
            ),
        ),
    )


def test_an_unknown_transaction_is_none() -> None:
    assert reader(lambda method, params: None).anchor_transaction(TX) is None


@pytest.mark.parametrize(
    "broken",
    [
        {**RECEIPT, "logs": "none"},
        {**RECEIPT, "status": 1},
        {**RECEIPT, "blockHash": "0xzz"},
        {**RECEIPT, "to": 5},
        {**RECEIPT, "logs": [{"address": REGISTRY}]},
        {**RECEIPT, "logs": [{**RECEIPT["logs"][0], "topics": ["nohex"]}]},
        [],
    ],
)
def test_a_malformed_receipt_is_a_chain_error_naming_the_node(broken: Any) -> None:
    with pytest.raises(RpcError) as caught:
        reader(lambda method, params: broken).anchor_transaction(TX)
    assert isinstance(caught.value, ChainError)
    assert caught.value.url == URL


def test_short_return_data_is_a_chain_error_not_a_crash() -> None:
    with pytest.raises(RpcError) as caught:
        reader(lambda method, params: "0x1234").checkpoint(REGISTRY, "0x" + "11" * 20, 7)
    assert caught.value.url == URL


def test_a_transport_error_is_a_chain_error_naming_the_node() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = JsonRpcClient(URL, transport=httpx.MockTransport(refuse))
    with pytest.raises(ChainError) as caught:
        RpcChainReader(client, DEPLOYMENT).chain_id()
    assert caught.value.url == URL
    assert "connection refused" in str(caught.value)


def test_the_trusted_registry_is_the_deployments() -> None:
    assert reader(lambda method, params: None).trusted_registry() == REGISTRY


@pytest.mark.parametrize(("head", "verdict"), [(41, "could_not_check"), (42, "not_valid")])
def test_a_node_behind_the_receipts_block_could_not_check(head: int, verdict: str) -> None:
    """A node that has no checkpoint yet and whose ``eth_blockNumber`` is below the
    receipt's block 42 cannot decide; one that has reached it can."""
    from govchain_core.receipt_codec import receipt_from_object
    from govchain_core.verify import verify_receipt
    from tests.conftest import load_vectors

    answers = {"eth_chainId": "0x539", "eth_call": "0x" + "00" * 96, "eth_blockNumber": hex(head)}
    receipt = receipt_from_object(load_vectors("receipts.json")["valid"][0]["receipt"])
    report = verify_receipt(receipt, reader(lambda method, _params: answers[method]))
    assert report.verdict == verdict
    if head < 42:
        assert report.steps[2].message == "the node is not synced to block 42 (its head is 41)"
