"""A bare ASGI path for the public lookup ``GET /v1/digests/{digest}``.

The web verifier's lookups are the notary's hottest public read.  Through FastAPI
each one pays for routing, dependency resolution and five middleware layers, about
as much CPU as the lookup itself.  ``LookupFastPath`` sits in front of all of that
and answers exactly the requests the route would answer with a lookup: ``GET`` of ``/v1/digests/``
followed by a digest that passes the route's own pattern (the application answers
``HEAD`` there with 405, and still does).  It does what the route and its middleware do:
the public read rate limit, the lookup cache and its refresh, the lookup (on the
event loop for SQLite, on a worker thread otherwise, as ``api.digests``), the problem
answers of ``problems``, the CORS headers (through Starlette's own ``CORSMiddleware``,
configured as the application's) and the request metrics.  Everything else,
a malformed digest included, goes to the application unchanged, so its answers are
the application's by construction; tests compare both paths byte for byte.
"""

from __future__ import annotations

import re
import time
from typing import Any

import anyio.to_thread
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from govchain_notary.api.schemas import DIGEST_PATTERN
from govchain_notary.errors import NotaryError
from govchain_notary.metrics import Metrics
from govchain_notary.problems import problem_of, unexpected_problem
from govchain_notary.ratelimit import RateLimiter

PREFIX = "/v1/digests/"
TEMPLATE = PREFIX + "{digest}"  # the route's path, as ``RequestMetrics`` labels it
_DIGEST = re.compile(DIGEST_PATTERN.removeprefix("^").removesuffix("$"))
_JSON = (b"content-type", b"application/json")


class LookupFastPath:
    """Outermost layer: lookups answered here, every other request passed to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        service: Any,
        limiter: RateLimiter,
        metrics: Metrics,
        cors: dict[str, Any],
    ) -> None:
        self.app = app
        self.service = service
        self.limiter = limiter
        self.metrics = metrics
        self.answer = CORSMiddleware(self._answer, **cors)
        self._observers: dict[int, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith(PREFIX)
            and _DIGEST.fullmatch(scope["path"], len(PREFIX))
        ):
            await self.answer(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500
        try:
            status = await self._lookup(scope, send)
        finally:
            self._observe(status, time.perf_counter() - started)

    async def _lookup(self, scope: Scope, send: Send) -> int:
        path: str = scope["path"]
        digest = path[len(PREFIX) :]
        service = self.service
        refresh = False
        try:
            settings = service.settings
            client = scope.get("client")
            address = client[0] if client else "unknown"
            self.limiter.take(
                f"ip:{address}", settings.public_read_rate, settings.public_read_burst
            )
            body, refresh = await service.lookup_answer(digest)
        except NotaryError as exc:
            return await _send_response(problem_of(exc, path), scope, send)
        except Exception:
            return await _send_response(unexpected_problem(path), scope, send)
        headers = [(b"content-length", str(len(body)).encode()), _JSON]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if refresh:  # the route's background task: after the answer, on a worker thread
            await anyio.to_thread.run_sync(service.refresh_lookup, digest)
        return 200

    def _observe(self, status: int, seconds: float) -> None:
        observer = self._observers.get(status)
        if observer is None:
            observer = self.metrics.requests.labels("GET", TEMPLATE, str(status))
            self._observers[status] = observer
        observer.observe(seconds)


async def _send_response(response: Response, scope: Scope, send: Send) -> int:
    headers = response.raw_headers
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
    return response.status_code
