"""A bounded JSON-RPC fuzzer against a real node process (issue 13).

Whatever arrives (random envelopes, ids, methods, parameters of the wrong types, huge
numbers, deep nesting, long strings, batches; over HTTP and WebSocket), every answer
is valid JSON-RPC 2.0 (strict JSON: no NaN) with a standard error code, the HTTP
status is 200, the connection stays open and the process is alive afterwards.
Internal errors (-32603) count as failures: they are bugs that a handler let through.
About a minute with the CI profile; ``GOVCHAIN_LONG=1`` runs 25 times more examples.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from tests.support.node_process import NodeProcess, start_node_process

METHODS = [
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
    "eth_getUncleCountByBlockNumber",
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
    "eth_newBlockFilter",
    "eth_getFilterChanges",
    "eth_getFilterLogs",
    "eth_uninstallFilter",
    "eth_subscribe",
    "eth_unsubscribe",
    "net_version",
    "net_peerCount",
    "web3_clientVersion",
    "web3_sha3",
    "qbft_getValidatorsByBlockNumber",
    "qbft_proposeValidatorVote",
    "no_such_method",
]
#: -32700 parse, -32600 invalid request, -32601 method, -32602 params, the server range
#: -32000..-32099 and 3 (execution reverted, as geth). -32603 (internal) is a bug.
STANDARD = {-32700, -32600, -32601, -32602, 3, *range(-32099, -31999)}
RAW_CONSTANTS = ["NaN", "Infinity", "-Infinity", "1e400", "-0", "1" * 5000, "1e-400"]

hex_strings = st.one_of(
    st.binary(max_size=80).map(lambda b: "0x" + b.hex()),
    st.integers(min_value=0, max_value=2**300).map(hex),
    st.sampled_from(["latest", "earliest", "pending", "safe", "finalized", "0x", "0x0g", "0X1"]),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**300), max_value=2**300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.integers(1_000, 200_000).map(lambda size: "a" * size),
    hex_strings,
)
KEYS = ["to", "from", "data", "input", "gas", "value", "fromBlock", "toBlock", "address"]
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from([*KEYS, "topics", "blockHash", "blockNumber", "x"]), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
ids = st.one_of(
    st.integers(min_value=-(2**100), max_value=2**100),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A request object, mostly well formed, with any member missing or wrong."""
    request: dict[str, Any] = {}
    if draw(st.integers(0, 9)) > 0:
        request["jsonrpc"] = draw(st.sampled_from(["2.0", "2.0", "2.0", "1.0", 2, None]))
    if draw(st.integers(0, 9)) > 0:
        request["id"] = draw(ids)
    if draw(st.integers(0, 19)) > 0:
        request["method"] = draw(st.one_of(st.sampled_from(METHODS), st.text(max_size=20), ids))
    kind = draw(st.integers(0, 9))
    if kind <= 6:
        request["params"] = draw(st.lists(json_values, max_size=4))
    elif kind == 7:
        request["params"] = draw(json_values)
    return request


def encode(value: object) -> bytes:
    return json.dumps(value).encode()


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Whole request bodies: envelopes, batches, raw constants as ids, deep nesting,
    long strings and random bytes."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return encode(draw(envelopes()))
    if kind == 1:
        items = draw(st.lists(st.one_of(envelopes(), json_values), max_size=12))
        return encode(items)
    if kind == 2:
        constant = draw(st.sampled_from(RAW_CONSTANTS))
        method = draw(st.sampled_from(METHODS))
        return f'{{"jsonrpc":"2.0","id":{constant},"method":"{method}","params":[]}}'.encode()
    if kind == 3:
        depth = draw(st.sampled_from([127, 128, 129, 1_000, 100_000]))
        inner = b"[" * depth + b"]" * depth
        return b'{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":' + inner + b"}"
    if kind == 4:
        return draw(st.binary(max_size=300))
    return encode(draw(json_values))


def expected_id(request: object) -> tuple[bool, object]:
    """Whether the answer's id is determined by the request, and which it is."""
    if not isinstance(request, dict) or "id" not in request:
        return False, None
    request_id = request["id"]
    if isinstance(request_id, bool) or not isinstance(request_id, str | int | float):
        return True, None
    if isinstance(request_id, float) and not math.isfinite(request_id):
        return True, None
    return True, request_id


def refuse_constant(constant: str) -> None:
    raise AssertionError(f"{constant} in an answer is not JSON")


def check_answer(content: bytes) -> list[dict[str, Any]]:
    """The answers in ``content``; assertion errors for anything not JSON-RPC 2.0."""
    answer = json.loads(content, parse_constant=refuse_constant)
    items: list[Any] = answer if isinstance(answer, list) else [answer]
    assert items, "an empty batch answer"
    for item in items:
        assert isinstance(item, dict), item
        assert item["jsonrpc"] == "2.0", item
        assert "id" in item, item
        assert ("result" in item) != ("error" in item), item
        if "error" in item:
            error = item["error"]
            assert error["code"] in STANDARD, item
            assert isinstance(error["message"], str), item
    return items


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    process = start_node_process(tmp_path_factory.mktemp("fuzz") / "node")
    yield process
    alive = process.process.poll() is None
    process.terminate()
    assert alive, "\n".join(process.output[-50:])


@pytest.fixture(scope="module")
def http(node: NodeProcess) -> Iterator[httpx.Client]:
    # One connection for the whole run: a closed connection is a finding.
    with httpx.Client(
        base_url=node.rpc_url, timeout=60, limits=httpx.Limits(max_connections=1)
    ) as client:
        yield client


def post(http: httpx.Client, body: bytes) -> httpx.Response:
    response = http.post("/", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, (response.status_code, response.text[:500])
    assert response.headers.get("connection", "").lower() != "close"  # kept alive
    return response


def assert_alive(http: httpx.Client) -> None:
    assert post(http, encode({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"})).json() == {
        "jsonrpc": "2.0",
        "id": 1,
        "result": "0x539",
    }


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(request=envelopes())
def test_single_requests(http: httpx.Client, request: dict[str, Any]) -> None:
    response = post(http, encode(request))
    determined, request_id = expected_id(request)
    if not response.content:  # a notification
        assert "id" not in request
        return
    (answer,) = check_answer(response.content)
    if determined:
        assert answer["id"] == request_id, (request, answer)


@FUZZ
@given(body=bodies())
def test_bodies_and_batches(http: httpx.Client, body: bytes) -> None:
    response = post(http, body)
    if response.content:  # a batch of notifications only gets no answer
        check_answer(response.content)
    assert_alive(http)


@pytest.fixture(scope="module")
def ws(node: NodeProcess) -> Iterator[ClientConnection]:
    deadline = time.monotonic() + 30
    while not (lines := [x for x in node.output if x.startswith("ws listening on ")]):
        assert time.monotonic() < deadline, node.output
        time.sleep(0.05)
    ws_url = lines[0].removeprefix("ws listening on ").strip()
    with connect(ws_url, max_size=None) as connection:
        yield connection


SENTINEL = encode({"jsonrpc": "2.0", "id": "sentinel", "method": "eth_chainId"}).decode()


@settings(FUZZ, max_examples=100)
@given(body=bodies())
def test_websocket_messages(ws: ClientConnection, body: bytes) -> None:
    """Each message, then a sentinel request: everything before the sentinel's answer
    is JSON-RPC, and the connection stays open."""
    ws.send(body.decode("utf-8", "replace"))
    ws.send(SENTINEL)
    while True:
        message = ws.recv(timeout=60)
        raw = message.encode() if isinstance(message, str) else message
        items = check_answer(raw)
        if any(item.get("id") == "sentinel" for item in items):
            return


def test_body_above_limit_is_refused(http: httpx.Client, node: NodeProcess) -> None:
    huge = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (6 << 20) + b'"]}'
    with httpx.Client(timeout=60) as client:
        response = client.post(
            node.rpc_url, content=huge, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32600
    assert_alive(http)


def test_process_survived(node: NodeProcess, http: httpx.Client) -> None:
    assert_alive(http)
    assert node.process.poll() is None
    assert not [line for line in node.output if "Traceback" in line], node.output[-40:]
