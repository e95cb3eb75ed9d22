"""The client's exceptions, one root for all of them.

    ClientError
    ├── RpcError              a node answered with a JSON-RPC error or could not be reached
    └── NotaryError           the notary refused a request (carries the RFC 9457 problem)
        ├── AuthError             401/403: missing, wrong, revoked or out-of-scope key
        ├── RateLimitedError      429 (``retry_after`` seconds)
        └── UnavailableError      503: back-pressure or not ready (``retry_after``)

Chain read failures during verification surface as ``govchain_core.errors.ChainError``
(the core's verifier reports them as an ``error`` step); ``RpcError`` subclasses it.
A malformed deployment file raises ``govchain_core.errors.DeploymentError``.
"""

from __future__ import annotations

from typing import Any

from govchain_core.errors import ChainError


class ClientError(Exception):
    """Root of every error the client raises on purpose."""


class RpcError(ClientError, ChainError):
    """A JSON-RPC call failed: transport error or an error object from the node."""

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
