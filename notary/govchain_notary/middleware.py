"""Pure ASGI middleware: request body limit, allowed methods, request metrics, the read
replica's refusal of writes (cheap per request)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govchain_notary.errors import PROBLEM_BASE, PayloadTooLargeError
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
                    raise PayloadTooLargeError(self._detail())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLargeError:
            # raised by ``limited_receive`` inside the app; if a route's handler already
            # answered it (the app renders every NotaryError), it never gets here
            if not started:
                await self._refuse(scope, send)

    def _detail(self) -> str:
        return f"request bodies are limited to {self.limit} bytes"

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = PayloadTooLargeError
        await send_problem(scope, send, problem.status, problem.slug, problem.title, self._detail())


class AllowedMethods:
    """``OPTIONS`` and ``405`` for the application's own paths, from the methods its
    OpenAPI document (and its plain routes: ``/docs``, ``/openapi.json``) declare.  The
    web verifier's files are mounted at ``/`` and would otherwise answer both for every
    path, with ``Allow: GET, HEAD`` even for ``POST /v1/digests``.  CORS preflights
    never get here (the CORS middleware answers them first)."""

    def __init__(self, app: ASGIApp, api: Any) -> None:
        self.app = app
        self.api = api  # the FastAPI application, indexed at its first request
        self._exact: dict[str, frozenset[str]] | None = None
        self._patterns: list[tuple[re.Pattern[str], frozenset[str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allowed = self.allowed(scope["path"])
            method = scope["method"]
            if allowed is not None and (method == "OPTIONS" or method not in allowed):
                await self._answer(scope, send, allowed)
                return
        await self.app(scope, receive, send)

    def allowed(self, path: str) -> frozenset[str] | None:
        """The methods ``path`` answers, with OPTIONS; None for paths not of the API."""
        if self._exact is None:
            self._index()
        assert self._exact is not None
        found = self._exact.get(path)
        if found is not None:
            return found
        for pattern, methods in self._patterns:
            if pattern.fullmatch(path):
                return methods
        return None

    def _index(self) -> None:
        by_path: dict[str, set[str]] = {}
        for path, operations in self.api.openapi().get("paths", {}).items():
            by_path.setdefault(path, {"OPTIONS"}).update(m.upper() for m in operations)
        for route in self.api.routes:
            methods, path = getattr(route, "methods", None), getattr(route, "path", None)
            if methods and path is not None:
                by_path.setdefault(path, {"OPTIONS"}).update(methods)
        self._exact = {p: frozenset(m) for p, m in by_path.items() if "{" not in p}
        self._patterns = [
            (re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p))), frozenset(m))
            for p, m in by_path.items()
            if "{" in p
        ]

    @staticmethod
    async def _answer(scope: Scope, send: Send, allowed: frozenset[str]) -> None:
        allow = ", ".join(sorted(allowed)).encode()
        if scope["method"] == "OPTIONS":
            headers = [(b"allow", allow), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        detail = f"{scope['method']} is not allowed here; allowed: {allow.decode()}"
        headers = [(b"allow", allow)]
        await send_problem(
            scope, send, 405, "method-not-allowed", "Method not allowed", detail, headers
        )


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with an RFC 9457 problem from middleware, where no exception handler runs."""
    body = json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    head = [
        *(headers or []),
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


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


class ReadReplica:
    """In a reader process, refuse every write with a 503 ``read-replica`` problem.

    Reads (``GET``, ``HEAD``, ``OPTIONS``) and ``POST /v1/verify`` (which computes and
    stores nothing) pass; anything else would need the writer, which a replica does
    not run.  The answer carries no ``Retry-After``: retrying here never helps; a
    reverse proxy sends writes to the writer process instead (see the README)."""

    READS = frozenset({"GET", "HEAD", "OPTIONS"})
    PASSING = frozenset({"/v1/verify"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in self.READS
            or scope["path"] in self.PASSING
        ):
            await self.app(scope, receive, send)
            return
        detail = "this notary process is a read replica; send writes to the writer"
        await send_problem(scope, send, 503, "read-replica", "Read replica", detail)
