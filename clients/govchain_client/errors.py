"""The client's exceptions, one root for all of them.

    ClientError
    ├── TransportError          no usable answer from ``url`` (``detail`` says why);
    │   │                       "could not", never "refused": the CLI exits 3
    │   ├── ConnectError            no connection: refused, unknown host, unreachable network
    │   ├── RequestTimeoutError     connected or not, no answer within the timeout
    │   ├── NetworkError            the connection broke while sending or reading
    │   ├── ProtocolError           the peer answered, but not in HTTP, or not the API's JSON
    │   │                           (also an answer over the size or nesting limits)
    │   └── InvalidUrlError         the URL cannot be used (no ``http://``, malformed)
    ├── RpcError                a node answered a JSON-RPC call with an error object,
    │                           a non-200 status or JSON that is no JSON-RPC answer
    ├── NotaryError             the notary refused a request (carries the RFC 9457 problem)
    │   ├── AuthError               401/403: missing, wrong, revoked or out-of-scope key
    │   └── RateLimitedError        429 (``retry_after`` seconds)
    │       └── UnavailableError        503: back-pressure or not ready (``retry_after``)
    ├── PendingMarkerError      a ``<file>.govchain.pending`` marker is unreadable (``path``)
    ├── AbiDecodeError          contract return data without the expected ABI shape
    │                           (``govchain_client.abi``; also a ``ValueError``)
    ├── UsageError              ``govchain verify``: the user must change the command (exit 2)
    ├── SourceUnreachableError  ``govchain verify``: a source could not be read (exit 3)
    │                           (both in ``govchain_client.verify_command``)
    └── IotError                the IoT bridge's own errors (``govchain_client.iot.errors``)
        ├── UplinkError             an MQTT message that is not a usable uplink
        │   ├── UnknownFormatError      the topic belongs to no supported network server
        │   └── NotAnUplinkError        a supported network, but another event
        ├── SpoolError              the local spool is unusable
        ├── BatchingError           batching limits out of range (checked at start-up)
        └── ReadingNotFoundError    no spooled reading matches a device and counter

Third-party errors never leave the SDK: ``httpx`` failures are converted where the
SDK calls httpx (``govchain_client._transport.mapped_errors``), by the most specific
match.  ``TransportError`` and ``RpcError`` are also the core's ``ChainError``: when
verification reads the chain through the JSON-RPC client, the core's verifier
reports them as an ``error`` step ("could not check"), never as a failed proof.
A malformed deployment file raises ``govchain_core.errors.DeploymentError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from govchain_core.errors import ChainError


class ClientError(Exception):
    """Root of every error the client raises on purpose."""


class TransportError(ClientError, ChainError):
    """Nothing usable came back from ``url``; ``detail`` is the underlying reason."""

    what: ClassVar[str] = "cannot reach"

    def __init__(self, url: str, detail: str = "") -> None:
        super().__init__(f"{self.what} {url}: {detail}" if detail else f"{self.what} {url}")
        self.url = url
        self.detail = detail


class ConnectError(TransportError):
    """No connection could be opened (refused, unknown host, no route)."""

    what = "cannot connect to"


class RequestTimeoutError(TransportError):
    """The server did not answer within the timeout (connecting, sending or reading)."""

    what = "no answer in time from"


class NetworkError(TransportError):
    """The connection broke during the exchange."""

    what = "connection lost with"


class ProtocolError(TransportError):
    """The peer answered, but not in HTTP or not with the API's JSON."""

    what = "unexpected answer from"


class InvalidUrlError(TransportError, ValueError):
    """The URL cannot be used for a request."""

    what = "unusable URL"


class RpcError(ClientError, ChainError):
    """A JSON-RPC call was answered with an error object or a malformed answer."""

    def __init__(self, message: str, code: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


class NotaryError(ClientError):
    """The notary answered with an error status."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        title = problem.get("title") or f"HTTP {status}"
        detail = problem.get("detail")
        super().__init__(f"{title}: {detail}" if detail else str(title))
        self.status = status
        self.problem = problem


class AuthError(NotaryError):
    """The API key is missing, wrong, revoked or lacks the scope."""


class RateLimitedError(NotaryError):
    """Too many requests; retry after ``retry_after`` seconds."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: float) -> None:
        super().__init__(status, problem)
        self.retry_after = retry_after


class UnavailableError(RateLimitedError):
    """The notary is overloaded or not ready (503); retry after ``retry_after`` seconds."""


class PendingMarkerError(ClientError, ValueError):
    """A pending marker written by ``govchain notarize`` cannot be used."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
