"""JSON-RPC envelope handling, independent of any method."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from govchain_node.errors import RpcError
from govchain_node.rpc.methods import revert_error
from govchain_node.rpc.protocol import RawJson, handle_body


def dispatch(method: str, params: list[Any]) -> Any:
    if method == "echo":
        return params
    if method == "raw":
        return RawJson(b'{"spliced":true}')
    if method == "boom":
        raise ValueError("bug")
    raise RpcError(-32601, "method not found")


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
