"""HTTP and WebSocket transport for JSON-RPC (aiohttp).

One aiohttp application serves both: ``POST /`` for HTTP requests, a WebSocket upgrade
on ``GET /`` for long-lived connections with ``eth_subscribe``. The node binds it to the
HTTP port and, when configured, to a separate WebSocket port, as geth does (8545/8546).

Bodies above ``max_body_bytes`` get HTTP 413 with a JSON-RPC error object; WebSocket
messages above the limit close the connection with code 1009 (message too big).
CORS is open (``*``): the web verifier in a browser reads the chain from any node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.http_exceptions import HttpProcessingError

from govchain_node.errors import RpcReplyError
from govchain_node.rpc import params as p
from govchain_node.rpc.logfilter import LogCriteria, parse_criteria
from govchain_node.rpc.protocol import (
    INVALID_REQUEST,
    LIMIT_EXCEEDED,
    encode_error,
    handle_body,
)
from govchain_node.rpc.subscriptions import SlowConsumer, Subscriptions

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}
log = logging.getLogger(__name__)
WS_QUEUE_LIMIT = 10_000
SUBSCRIPTION_KINDS = frozenset({"newHeads", "logs", "newPendingTransactions"})

Dispatch = Callable[[str, list[Any]], Any]


class ParseErrorOneLine(logging.Filter):
    """On aiohttp's server logger: a request aiohttp could not parse (header line too
    long, too many headers, bad request line) is one line with the reason, not a
    ~10-line traceback per request (the client's mistake, not the node's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg = f"{record.msg}: {type(exc).__name__}: {exc.message}"
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _install_parse_error_filter() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ParseErrorOneLine) for f in server_log.filters):
        server_log.addFilter(ParseErrorOneLine())


def _log_gone_mid_body(request: web.Request) -> None:
    log.info("client %s disconnected before sending the whole body", request.remote)


class RpcServer:
    """Binds :class:`aiohttp.web.Application` to host/ports and reports the bound ports."""

    def __init__(
        self,
        dispatch: Dispatch,
        subscriptions: Subscriptions,
        *,
        max_body_bytes: int,
        max_batch_size: int,
        max_subscriptions: int = 100,
    ) -> None:
        self._dispatch = dispatch
        self._subscriptions = subscriptions
        self._max_body = max_body_bytes
        self._max_batch = max_batch_size
        self._max_subscriptions = max_subscriptions
        self._runner: web.AppRunner | None = None
        self.ports: list[int] = []
        self.app = web.Application(client_max_size=max_body_bytes)
        self.app.router.add_route("POST", "/", self._http)
        self.app.router.add_route("GET", "/", self._get)
        self.app.router.add_route("OPTIONS", "/", self._options)

    async def start(self, host: str, ports: list[int]) -> list[int]:
        _install_parse_error_filter()
        # handler_cancellation: a client that hangs up cancels its handler, which stops
        # its eth_calls' workers (aiohttp lets handlers run on by default).
        self._runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, handler_cancellation=True
        )
        await self._runner.setup()
        bound = []
        for port in ports:
            site = web.TCPSite(self._runner, host, port, reuse_address=True)
            await site.start()
            server = site._server  # aiohttp exposes bound sockets only here
            sockets = getattr(server, "sockets", None) or []
            bound.append(sockets[0].getsockname()[1] if sockets else port)
        self.ports = bound
        return bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- HTTP

    async def _options(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers=CORS_HEADERS)

    async def _http(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except ConnectionResetError:
            # The client went away mid-body: nothing to answer, one line to log.
            _log_gone_mid_body(request)
            return web.Response(status=400)
        except asyncio.CancelledError:
            # handler_cancellation: the same hang-up usually arrives as a cancellation.
            if request.transport is None or request.transport.is_closing():
                _log_gone_mid_body(request)
            raise
        except web.HTTPRequestEntityTooLarge:
            error = RpcReplyError(
                INVALID_REQUEST, f"request body too large (max {self._max_body} bytes)"
            )
            return web.Response(
                status=413,
                body=encode_error(None, error),
                content_type="application/json",
                headers=CORS_HEADERS,
            )
        response = await handle_body(self._dispatch, body, self._max_batch, self._max_body)
        return web.Response(
            body=response or b"", content_type="application/json", headers=CORS_HEADERS
        )

    async def _get(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.json_response(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": INVALID_REQUEST, "message": "use POST for JSON-RPC"},
                },
                status=405,
                headers=CORS_HEADERS,
            )
        return await self._websocket(request)

    # ----------------------------------------------------------------- WebSocket

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=self._max_body, heartbeat=30.0)
        await ws.prepare(request)
        outbox: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=WS_QUEUE_LIMIT)
        owner = object()

        def sink(message: bytes) -> None:
            try:
                outbox.put_nowait(message)
            except asyncio.QueueFull as exc:
                raise SlowConsumer from exc

        def dispatch(method: str, params: list[Any]) -> Any:
            if method == "eth_subscribe":
                return self._subscribe(params, sink, owner)
            if method == "eth_unsubscribe":
                p.check_arity(params, 1)
                sub_id = p.arg(params, 0, "subscription id")
                if not isinstance(sub_id, str):
                    raise p.invalid("subscription id must be a string")
                return self._subscriptions.unsubscribe(sub_id, owner)
            return self._dispatch(method, params)

        async def writer() -> None:
            while True:
                message = await outbox.get()
                if message is None or ws.closed:
                    return
                await ws.send_str(message.decode("utf-8"))

        writer_task = asyncio.create_task(writer())
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    data = msg.data.encode("utf-8") if msg.type == WSMsgType.TEXT else msg.data
                    response = await handle_body(dispatch, data, self._max_batch, self._max_body)
                    if response is not None:
                        # Responses go through the same queue so they stay ordered with
                        # notifications; a full queue means a consumer that does not read.
                        try:
                            outbox.put_nowait(response)
                        except asyncio.QueueFull:
                            break
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._subscriptions.drop_owner(owner)
            with contextlib.suppress(asyncio.QueueFull):
                outbox.put_nowait(None)
            writer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await writer_task
        return ws

    def _subscribe(self, params: list[Any], sink: Callable[[bytes], None], owner: object) -> str:
        p.check_arity(params, 2)
        kind = p.arg(params, 0, "subscription kind")
        if kind not in SUBSCRIPTION_KINDS:
            raise p.invalid(f"unsupported subscription kind {kind!r}")
        if self._subscriptions.owned(owner) >= self._max_subscriptions:
            raise RpcReplyError(
                LIMIT_EXCEEDED,
                f"too many subscriptions on this connection (max {self._max_subscriptions})",
            )
        criteria = LogCriteria()
        if kind == "logs":
            spec = p.arg(params, 1, "filter", required=False) or {}
            if not isinstance(spec, dict):
                raise p.invalid("logs filter must be an object")
            criteria = parse_criteria(spec)
        return self._subscriptions.subscribe(kind, criteria, sink, owner)
