"""Fuzzing the RPC surface: whatever arrives, the answer is a JSON-RPC object (result or
error) and the node keeps serving. Runs against the in-process govchain node."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govchain_node.dev import DevNodeHandle

METHODS = sorted(
    [
        "eth_chainId",
        "eth_blockNumber",
        "eth_getBalance",
        "eth_getCode",
        "eth_getStorageAt",
        "eth_getTransactionCount",
        "eth_getBlockByNumber",
        "eth_getBlockByHash",
        "eth_getBlockTransactionCountByNumber",
        "eth_getBlockTransactionCountByHash",
        "eth_getTransactionByHash",
        "eth_getTransactionByBlockNumberAndIndex",
        "eth_getTransactionByBlockHashAndIndex",
        "eth_getTransactionReceipt",
        "eth_sendRawTransaction",
        "eth_call",
        "eth_estimateGas",
        "eth_getLogs",
        "eth_getProof",
        "eth_feeHistory",
        "eth_newFilter",
        "eth_getFilterChanges",
        "eth_getFilterLogs",
        "eth_uninstallFilter",
        "net_version",
        "web3_clientVersion",
        "web3_sha3",
        "eth_subscribe",
        "no_such_method",
    ]
)
hex_strings = st.one_of(
    st.binary(max_size=80).map(lambda b: "0x" + b.hex()),
    st.integers(min_value=0, max_value=2**260).map(hex),
    st.sampled_from(["latest", "earliest", "pending", "safe", "finalized", "0x", "0x0g", "0X1"]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    hex_strings,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "to",
                    "from",
                    "data",
                    "input",
                    "gas",
                    "value",
                    "fromBlock",
                    "toBlock",
                    "address",
                    "topics",
                    "blockHash",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_rpc_object(response: httpx.Response) -> None:
    body = response.json()
    items: list[Any] = body if isinstance(body, list) else [body]
    for item in items:
        assert item["jsonrpc"] == "2.0"
        assert ("result" in item) != ("error" in item), item
        if "error" in item:
            assert isinstance(item["error"]["code"], int)
            assert isinstance(item["error"]["message"], str)


def assert_alive(client: httpx.Client, url: str) -> None:
    reply = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"})
    assert reply.json()["result"] == "0x539"


@FUZZ
@given(method=st.sampled_from(METHODS), params=st.lists(json_values, max_size=4))
def test_methods_with_random_params(
    govchain_node: DevNodeHandle, method: str, params: list[Any]
) -> None:
    with httpx.Client(timeout=30) as client:
        payload = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}
        assert_rpc_object(client.post(govchain_node.rpc_url, json=payload))
        assert_alive(client, govchain_node.rpc_url)


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_random_bodies(govchain_node: DevNodeHandle, body: bytes) -> None:
    with httpx.Client(timeout=30) as client:
        response = client.post(
            govchain_node.rpc_url, content=body, headers={"Content-Type": "application/json"}
        )
        if response.content:  # notifications-only batches get an empty answer
            assert_rpc_object(response)
        assert_alive(client, govchain_node.rpc_url)


def test_body_above_limit_is_refused(govchain_node: DevNodeHandle) -> None:
    huge = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (6 << 20) + b'"]}'
    with httpx.Client(timeout=60) as client:
        response = client.post(
            govchain_node.rpc_url, content=huge, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == -32600
        assert_alive(client, govchain_node.rpc_url)


def test_deeply_nested_json(govchain_node: DevNodeHandle) -> None:
    with httpx.Client(timeout=30) as client:
        body = b"[" * 100_000 + b"]" * 100_000
        response = client.post(
            govchain_node.rpc_url, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.json()["error"]["code"] == -32700
        assert_alive(client, govchain_node.rpc_url)


def test_oversized_batch(govchain_node: DevNodeHandle) -> None:
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(1001)]
    with httpx.Client(timeout=30) as client:
        response = client.post(govchain_node.rpc_url, json=batch)
        assert response.json()["error"]["code"] == -32600
