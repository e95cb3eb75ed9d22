"""JSON request bodies: read within the size limit and parsed by the bounded parser
before FastAPI sees them.

FastAPI parses a JSON body itself, with ``json.loads`` and no depth bound: in a
process that imported py-evm (py_ecc raises the recursion limit to 100,000) a body
of 100,000 ``[`` overflows the C stack and kills the process.  ``JsonBodyRoute``
reads the body first, refuses what is not JSON (415), too large (413), too deep or
malformed (400, naming the position), and leaves the parsed value where FastAPI
looks for it (``Request._json``), so the body is parsed once, by
``govchain_core.bounded_json``.  Every route with a body uses this class (a test
posts a deep body to every operation that takes one).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from govchain_core import bounded_json
from govchain_core.errors import JsonLimitError
from govchain_notary.errors import (
    BadRequestError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)
from govchain_notary.problems import problem_responses

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ClientGoneError(BadRequestError):
    """The client closed the connection before its body was complete (nobody reads
    the answer; the problem exists for the request log)."""

    slug = "client-disconnected"
    title = "Client disconnected"


class JsonBodyRoute(APIRoute):
    """An ``APIRoute`` whose JSON body is read and parsed by the bounded parser; its
    OpenAPI entry lists the refusals that parsing adds (400, 413, 415)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.body_field is not None:
            self.responses = {**problem_responses(400, 413, 415), **self.responses}

    def get_route_handler(self) -> Handler:
        handler: Handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def bounded(request: Request) -> Response:
            await load_json_body(request, request.app.state.settings.max_body_bytes)
            return await handler(request)

        return bounded


async def load_json_body(request: Request, limit: int) -> None:
    """Read the body (``PayloadTooLargeError`` past ``limit`` bytes, also when it
    comes chunked) and parse it; an empty body is left to the route's validation."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError(f"request bodies are limited to {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        logger.warning(  # one line: a traceback per dropped client would flood the log
            "%s %s: the client disconnected after %d body bytes",
            request.method,
            request.url.path,
            size,
        )
        raise ClientGoneError("the client disconnected before the body was complete") from None
    body = b"".join(chunks)
    request._body = body
    if body:
        require_json_media_type(request.headers.get("content-type"))
        request._json = parse_json(body, limit)


def require_json_media_type(content_type: str | None) -> None:
    """``application/json`` or ``application/*+json``, in UTF-8; else 415."""
    if content_type == "application/json":
        return
    media, _, parameters = (content_type or "").partition(";")
    media = media.strip().lower()
    subtype = media.removeprefix("application/")
    if subtype == media or not (subtype == "json" or subtype.endswith("+json")):
        raise UnsupportedMediaTypeError(
            f"send the body as application/json, not {content_type or 'without a Content-Type'}"
        )
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "').lower() != "utf-8":
            raise UnsupportedMediaTypeError("JSON bodies must be UTF-8")


def _constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


#: RFC 8259 JSON only: NaN, Infinity and numbers that overflow a double are refused.
DECODER = json.JSONDecoder(parse_constant=_constant, parse_float=_finite)


def parse_json(body: bytes, limit: int) -> Any:
    """The body's JSON value; ``BadRequestError`` naming what is wrong and where."""
    try:
        return bounded_json.loads(body, max_bytes=limit, decoder=DECODER)
    except JsonLimitError as exc:
        raise BadRequestError(f"invalid JSON body: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BadRequestError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno} (character {exc.pos}): "
            f"{exc.msg}",
            position=exc.pos,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except UnicodeDecodeError as exc:
        raise BadRequestError(
            f"the body is not UTF-8 at byte {exc.start}", position=exc.start
        ) from None
    except ValueError as exc:  # a hook's refusal, or an integer of too many digits
        raise BadRequestError(f"invalid JSON body: {exc}") from None
