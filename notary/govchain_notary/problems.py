"""RFC 9457 problem details for every error response, and the handlers that make them.

Every ``NotaryError`` maps to its own status and type URI; request validation
failures become 422 with the offending fields; unknown routes 404; anything
unexpected a bare 500 problem (logged, never leaking internals).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from govchain_notary.errors import (
    PROBLEM_BASE,
    NotaryError,
    RequestError,
    UnavailableError,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    type_uri: str = "about:blank",
    instance: str | None = None,
    retry_after: float | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_uri, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extensions.items() if v is not None})
    headers = dict(headers or {})
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def _notary_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotaryError)
    return problem_of(exc, request.url.path)


def problem_of(exc: NotaryError, path: str) -> JSONResponse:
    """The problem answer of a ``NotaryError`` raised while serving ``path``."""
    if exc.status >= 500 and not isinstance(exc, UnavailableError):
        logger.error("%s on %s: %s", type(exc).__name__, path, exc)
    detail = getattr(exc, "detail", str(exc))
    extensions = exc.extensions if isinstance(exc, RequestError) else {}
    return problem(
        exc.status,
        exc.title,
        detail,
        exc.type_uri,
        path,
        exc.retry_after,
        exc.headers,
        **extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": list(map(str, e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in list(exc.errors())[:20]
    ]
    first = errors[0] if errors else {"location": [], "message": "invalid request"}
    detail = f"{'.'.join(first['location'])}: {first['message']}"
    return problem(
        422,
        "Request validation failed",
        detail,
        PROBLEM_BASE + "validation",
        request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
    response = problem(
        exc.status_code,
        _title(exc.status_code),
        str(exc.detail),
        PROBLEM_BASE + slug,
        request.url.path,
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return unexpected_problem(request.url.path)


def unexpected_problem(path: str) -> JSONResponse:
    """The bare 500 problem (call from an ``except`` block: it logs the exception)."""
    logger.exception("unexpected error on %s", path)
    return problem(
        500,
        "Internal error",
        "an unexpected error occurred",
        PROBLEM_BASE + "internal",
        path,
    )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotaryError, _notary_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


PROBLEM_SCHEMA: dict[str, Any] = {
    "content": {
        PROBLEM_JSON: {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                },
            }
        }
    }
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route can answer."""
    return {status: {"description": _title(status), **PROBLEM_SCHEMA} for status in statuses}
