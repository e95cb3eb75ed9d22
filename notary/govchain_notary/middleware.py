"""Pure ASGI middleware: request body limit and request metrics (cheap per request)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govchain_notary.errors import PROBLEM_BASE
from govchain_notary.lookup_cache import LookupCache
from govchain_notary.metrics import Metrics


class BodyLimit:
    """Refuse bodies over ``limit`` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "payload-too-large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"request bodies are limited to {self.limit} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLargeError(Exception):
    pass


class RequestMetrics:
    """Latency histogram by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", "other")
            self.metrics.requests.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


class CachedLookups:
    """Serve ``GET /v1/digests/{digest}`` straight from the lookup cache.

    The web verifier's lookups are the notary's hottest public read; when the answer
    is cached (complete and fresh, see ``lookup_cache``) it is sent from here,
    without routing, dependency resolution or a thread hop.  The public read limit
    and CORS still apply; every miss or refusal goes through the full application.
    """

    PREFIX = "/v1/digests/"

    def __init__(self, app: ASGIApp, service: Any, limiter: Any, cors_origins: list[str]) -> None:
        self.app = app
        self.service = service
        self.limiter = limiter
        self.any_origin = "*" in cors_origins
        self.origins = {origin.encode() for origin in cors_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._cached(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        origin = dict(scope["headers"]).get(b"origin")
        if origin is not None and (self.any_origin or origin in self.origins):
            headers.append((b"access-control-allow-origin", b"*" if self.any_origin else origin))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _cached(self, scope: Scope) -> bytes | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if not path.startswith(self.PREFIX):
            return None
        digest = path[len(self.PREFIX) :]
        lookups: LookupCache = self.service.lookups
        body, refresh = lookups.lookup(digest)
        if body is None:
            return None
        if refresh:
            asyncio.get_running_loop().run_in_executor(None, self.service.refresh_lookup, digest)
        settings = self.service.settings
        client = scope.get("client")
        try:
            self.limiter.take(
                f"ip:{client[0] if client else 'unknown'}",
                settings.public_read_rate,
                settings.public_read_burst,
            )
        except Exception:
            return None  # the application answers the 429 itself
        return body
