"""The SDK's edge with httpx: its exceptions become the SDK's, its answers are parsed bounded.

Every place the SDK performs an HTTP request wraps it in ``mapped_errors(url)``, so
callers only ever see ``govchain_client.errors`` (as httpx's own
``map_httpcore_exceptions`` does for httpcore).  The most specific match wins:
``httpx.ConnectError`` is also an ``httpx.NetworkError``, and maps to ``ConnectError``.

Answers are untrusted input like any other: ``answer_json`` parses them through
``govchain_core.bounded_json`` so a hostile or broken server cannot make the client
recurse without bound (a process that imports py-evm runs with a recursion limit
high enough for the C parser to overflow the stack).

``notary_error`` is the one place an RFC 9457 problem answer of the notary becomes
an SDK exception; the SDK's ``NotaryClient`` and the IoT bridge both use it (through
``answer_object``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from govchain_client.errors import (
    AuthError,
    ConnectError,
    InvalidUrlError,
    NetworkError,
    NotaryError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    TransportError,
    UnavailableError,
)
from govchain_core import bounded_json
from govchain_core.errors import JsonLimitError

#: Largest answer body parsed (a batch of 10,000 receipt references is about 1.5 MB).
MAX_ANSWER_BYTES = 64 * 1024 * 1024

_MAPPING: tuple[tuple[type[Exception], type[TransportError]], ...] = (
    (httpx.HTTPError, TransportError),
    (httpx.InvalidURL, InvalidUrlError),
    (httpx.UnsupportedProtocol, InvalidUrlError),
    (httpx.TimeoutException, RequestTimeoutError),
    (httpx.NetworkError, NetworkError),
    (httpx.ConnectError, ConnectError),
    (httpx.ProxyError, ConnectError),
    (httpx.ProtocolError, ProtocolError),
    (httpx.DecodingError, ProtocolError),
    (httpx.TooManyRedirects, ProtocolError),
)

_TIMEOUT_PHASE = {
    httpx.ConnectTimeout: "while connecting",
    httpx.WriteTimeout: "while sending the request",
    httpx.ReadTimeout: "while waiting for the answer",
    httpx.PoolTimeout: "while waiting for a free connection",
}


def translate(exc: Exception, url: str) -> TransportError:
    """The SDK error for an httpx error: the target of the most specific matching class."""
    source: type[Exception] | None = None
    target: type[TransportError] = TransportError
    for candidate, mapped in _MAPPING:
        if isinstance(exc, candidate) and (source is None or issubclass(candidate, source)):
            source, target = candidate, mapped
    return target(url, _detail(exc))


def _detail(exc: Exception) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.TimeoutException):
        phase = _TIMEOUT_PHASE.get(type(exc), "")
        return " ".join(part for part in ("timed out", phase) if part)
    return text or type(exc).__name__


@contextmanager
def mapped_errors(url: str) -> Iterator[None]:
    """Run an httpx call; its exceptions leave as ``TransportError`` subclasses naming ``url``."""
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise translate(exc, url) from exc


def answer_json(response: httpx.Response, url: str, max_bytes: int = MAX_ANSWER_BYTES) -> Any:
    """The answer's body as JSON, bounded in size and nesting; ``ProtocolError`` if it is not.

    Duplicate keys are refused: the stdlib keeps the last one, so a node could answer a
    ``result`` that another parser (the web page's, a proxy's) reads differently.
    """
    try:
        return bounded_json.loads(
            response.content, max_bytes=max_bytes, decoder=bounded_json.STRICT_DECODER
        )
    except JsonLimitError as exc:
        raise ProtocolError(url, f"HTTP {response.status_code} answer refused: {exc}") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ProtocolError(url, f"HTTP {response.status_code} answer is not JSON: {exc}") from None


def answer_object(response: httpx.Response, url: str) -> dict[str, Any]:
    """A notary answer as a JSON object, or the SDK error for an error status."""
    if response.status_code >= 400:
        raise notary_error(response, url)
    value = answer_json(response, url)
    if not isinstance(value, dict):
        raise ProtocolError(url, f"HTTP {response.status_code} answer is not a JSON object")
    return value


def notary_error(response: httpx.Response, url: str) -> NotaryError:
    """The SDK exception for a notary error answer (RFC 9457 problem details when given)."""
    try:
        problem = answer_json(response, url)
    except ProtocolError:
        problem = None
    if not isinstance(problem, dict):
        problem = {"title": response.reason_phrase or f"HTTP {response.status_code}"}
    status = response.status_code
    if status in (401, 403):
        return AuthError(status, problem)
    if status in (429, 503):
        retry_after = _retry_after(response.headers.get("Retry-After"))
        cls = UnavailableError if status == 503 else RateLimitedError
        return cls(status, problem, retry_after)
    return NotaryError(status, problem)


def _retry_after(value: str | None) -> float:
    """Seconds to wait from a ``Retry-After`` header in seconds (1 when absent or unusable)."""
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0
