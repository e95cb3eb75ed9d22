"""JSON-RPC envelope handling, independent of any method."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from govchain_node.errors import RpcReplyError
from govchain_node.rpc.methods import revert_error
from govchain_node.rpc.protocol import RawJson, handle_body


def dispatch(method: str, params: list[Any]) -> Any:
    if method == "echo":
        return params
    if method == "raw":
        return RawJson(b'{"spliced":true}')
    if method == "boom":
        raise ValueError("bug")
    raise RpcReplyError(-32601, "method not found")


def run(body: bytes) -> Any:
    response = asyncio.run(handle_body(dispatch, body, max_batch=3))
    return None if response is None else json.loads(response)


def test_result_and_raw_splice() -> None:
    assert run(b'{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}')["result"] == [1]
    assert run(b'{"jsonrpc":"2.0","id":"x","method":"raw"}') == {
        "jsonrpc": "2.0",
        "id": "x",
        "result": {"spliced": True},
    }


def test_envelope_errors() -> None:
    assert run(b"{")["error"]["code"] == -32700
    assert run(b"[]")["error"]["code"] == -32600
    assert run(b'{"id":1,"method":"echo"}')["error"]["code"] == -32600
    assert run(b'{"jsonrpc":"2.0","id":1,"method":5}')["error"]["code"] == -32600
    assert (
        run(b'{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}')["error"]["code"] == -32602
    )
    assert run(b'{"jsonrpc":"2.0","id":1,"method":"nope"}')["error"]["code"] == -32601
    assert run(b'{"jsonrpc":"2.0","id":1,"method":"boom"}')["error"]["code"] == -32603


def test_notifications_and_batches() -> None:
    assert run(b'{"jsonrpc":"2.0","method":"echo"}') is None
    batch = run(b'[{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","method":"echo"},5]')
    assert [item.get("id") for item in batch] == [1, None]
    assert batch[1]["error"]["code"] == -32600
    too_many = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "echo"} for i in range(4)])
    assert run(too_many.encode())["error"]["code"] == -32600


def test_revert_error_decodes_reason_and_keeps_data() -> None:
    reason = bytes.fromhex("08c379a0") + (32).to_bytes(32, "big") + (3).to_bytes(32, "big")
    reason += b"bad".ljust(32, b"\x00")
    error = revert_error(reason)
    assert (error.code, error.message, error.data) == (
        3,
        "execution reverted: bad",
        "0x" + reason.hex(),
    )
    assert revert_error(b"").message == "execution reverted"
    panic = bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big")
    assert revert_error(panic).message == "execution reverted: panic code 0x11"


def strict_json(response: bytes) -> Any:
    """Parse as JSON proper: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(response, parse_constant=refuse)


def test_ids_that_are_not_json_numbers_are_refused_with_id_null() -> None:
    """Regression (issue 13 item 11): NaN, Infinity and 1e400 were echoed as invalid JSON."""
    for request_id in (b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"):
        body = b'{"jsonrpc":"2.0","id":' + request_id + b',"method":"echo","params":[1]}'
        response = asyncio.run(handle_body(dispatch, body, max_batch=3))
        assert response is not None
        answer = strict_json(response)
        assert answer["id"] is None, request_id
        assert answer["error"]["code"] == -32600, request_id
    batch = (
        b'[{"jsonrpc":"2.0","id":NaN,"method":"echo"},{"jsonrpc":"2.0","id":2.5,"method":"echo"}]'
    )
    response = asyncio.run(handle_body(dispatch, batch, max_batch=3))
    assert response is not None
    first, second = strict_json(response)
    assert (first["id"], first["error"]["code"]) == (None, -32600)
    assert (second["id"], second["result"]) == (2.5, [])


def test_a_result_that_is_not_json_is_an_internal_error() -> None:
    def nan(method: str, params: list[Any]) -> Any:
        return float("nan")

    response = asyncio.run(handle_body(nan, b'{"jsonrpc":"2.0","id":1,"method":"x"}', 3))
    assert response is not None
    assert strict_json(response)["error"]["code"] == -32603


def test_deep_nesting_is_a_parse_error_at_any_position() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    wrapped = b'{"jsonrpc":"2.0","id":1,"method":"echo","params":' + deep + b"}"
    in_batch = b'[{"jsonrpc":"2.0","id":1,"method":"echo","params":' + deep + b"}]"
    for body in (deep, wrapped, in_batch):
        answer = run(body)
        assert answer["error"]["code"] == -32700
        assert answer["id"] is None
