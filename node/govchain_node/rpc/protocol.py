"""JSON-RPC 2.0 envelopes: parsing, batching, error objects.

Results may be :class:`RawJson` (already-encoded JSON bytes from the chain index); the
encoder splices them in unparsed, which keeps receipt and block look-ups cheap.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from govchain_core import bounded_json
from govchain_node.errors import RpcReplyError

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000
LIMIT_EXCEEDED = -32005
EXECUTION_REVERTED = 3


@dataclasses.dataclass(frozen=True)
class RawJson:
    """A JSON value that is already encoded."""

    data: bytes


#: Loop time at which the request (a whole batch) being handled arrived: its time budget
#: (``--rpc-evm-timeout``) counts from here, so a batch of N expensive calls costs about
#: one timeout, not N (set by :func:`handle_body`, read by the call executor).
REQUEST_ARRIVAL: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "REQUEST_ARRIVAL", default=None
)

Handler = Callable[[list[Any]], Any]
#: Resolves a method call; may return an awaitable for methods that need the loop.
Dispatcher = Callable[[str, list[Any]], "Any | Awaitable[Any]"]


def _dumps(value: object) -> bytes:
    # allow_nan=False: NaN and Infinity are not JSON; nothing we send may contain them.
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("utf-8")


def encode_result(request_id: object, result: object) -> bytes:
    body = result.data if isinstance(result, RawJson) else _dumps(result)
    return b'{"jsonrpc":"2.0","id":' + _dumps(request_id) + b',"result":' + body + b"}"


def encode_error(request_id: object, error: RpcReplyError) -> bytes:
    return _dumps({"jsonrpc": "2.0", "id": request_id, "error": error.to_json()})


MAX_NESTING = 128


def parse_body(body: bytes, max_bytes: int) -> Any:
    """Parse a request body with govchain's bounded parser (size and nesting first)."""
    try:
        return bounded_json.loads(body, max_bytes=max_bytes, max_depth=MAX_NESTING)
    except ValueError as exc:  # JsonLimitError, JSONDecodeError, UnicodeDecodeError
        raise RpcReplyError(PARSE_ERROR, f"parse error: {exc}") from exc


def echoable_id(request_id: object) -> bool:
    """Whether ``request_id`` is an id we can echo: a string, an integer or a finite
    number. ``NaN``, ``Infinity`` and ``1e400`` parse to floats that are not JSON."""
    if isinstance(request_id, bool):
        return False
    if isinstance(request_id, float):
        return math.isfinite(request_id)
    return isinstance(request_id, str | int)


@dataclasses.dataclass(frozen=True)
class Call:
    """A validated request object: ``notification`` calls get no response."""

    request_id: object
    method: str
    params: list[Any]
    notification: bool


def validate_request(request: object) -> Call:
    """Check the envelope of one request; raise ``RpcReplyError`` (-32600 / -32602)."""
    if not isinstance(request, dict):
        raise RpcReplyError(INVALID_REQUEST, "invalid request: not an object")
    request_id = request.get("id")
    if request_id is not None and not echoable_id(request_id):
        raise RpcReplyError(
            INVALID_REQUEST, "invalid request: id must be a string or finite number"
        )
    if request.get("jsonrpc") != "2.0":
        raise RpcReplyError(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"')
    method = request.get("method")
    if not isinstance(method, str):
        raise RpcReplyError(INVALID_REQUEST, "invalid request: method must be a string")
    params = request.get("params", [])
    if params is None:
        params = []
    if isinstance(params, dict):
        raise RpcReplyError(INVALID_PARAMS, "invalid params: named parameters are not supported")
    if not isinstance(params, list):
        raise RpcReplyError(INVALID_REQUEST, "invalid request: params must be an array")
    return Call(request_id, method, params, "id" not in request)


async def handle_call(dispatch: Dispatcher, request: object) -> bytes | None:
    """Process one request object; ``None`` for notifications."""
    request_id = request.get("id") if isinstance(request, dict) else None
    if not echoable_id(request_id):
        request_id = None
    try:
        call = validate_request(request)
        result = dispatch(call.method, call.params)
        if isinstance(result, Awaitable):
            result = await result
    except RpcReplyError as error:
        return encode_error(request_id, error)
    except Exception as exc:  # a bug must not take the connection down
        return encode_error(request_id, RpcReplyError(INTERNAL_ERROR, f"internal error: {exc}"))
    if call.notification:
        return None
    try:
        return encode_result(call.request_id, result)
    except ValueError as exc:  # a result that is not JSON (a bug)
        return encode_error(
            call.request_id, RpcReplyError(INTERNAL_ERROR, f"internal error: {exc}")
        )


async def handle_body(
    dispatch: Dispatcher, body: bytes, max_batch: int, max_bytes: int = 5 << 20
) -> bytes | None:
    """Process a request body (single or batch); ``None`` when nothing is to be sent."""
    token = REQUEST_ARRIVAL.set(asyncio.get_running_loop().time())
    try:
        return await _handle_payload(dispatch, body, max_batch, max_bytes)
    finally:
        REQUEST_ARRIVAL.reset(token)


async def _handle_payload(
    dispatch: Dispatcher, body: bytes, max_batch: int, max_bytes: int
) -> bytes | None:
    try:
        payload = parse_body(body, max_bytes)
    except RpcReplyError as error:
        return encode_error(None, error)
    if isinstance(payload, list):
        if not payload:
            return encode_error(
                None, RpcReplyError(INVALID_REQUEST, "invalid request: empty batch")
            )
        if len(payload) > max_batch:
            return encode_error(
                None, RpcReplyError(INVALID_REQUEST, f"batch too large (max {max_batch})")
            )
        parts = [await handle_call(dispatch, item) for item in payload]
        responses = [p for p in parts if p is not None]
        if not responses:
            return None
        return b"[" + b",".join(responses) + b"]"
    return await handle_call(dispatch, payload)
