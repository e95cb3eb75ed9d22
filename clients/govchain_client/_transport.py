"""The SDK's edge with httpx: its exceptions become the SDK's, its answers are parsed bounded.

Every place the SDK performs an HTTP request wraps it in ``mapped_errors(url)``, so
callers only ever see ``govchain_client.errors`` (as httpx's own
``map_httpcore_exceptions`` does for httpcore).  The most specific match wins:
``httpx.ConnectError`` is also an ``httpx.NetworkError``, and maps to ``ConnectError``.

Answers are untrusted input like any other: ``answer_json`` parses them through
``govchain_core.bounded_json`` so a hostile or broken server cannot make the client
recurse without bound (a process that imports py-evm runs with a recursion limit
high enough for the C parser to overflow the stack).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from govchain_client.errors import (
    ConnectError,
    InvalidUrlError,
    NetworkError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
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
