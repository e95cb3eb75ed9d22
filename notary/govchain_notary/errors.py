"""The notary's exceptions, one root for all of them.

Each error that can reach a client carries its HTTP status and an RFC 9457 problem
type, so ``problems`` renders every one the same way and no handler decides codes.

    NotaryError
    ├── ConfigurationError        settings refused at start-up (never reaches a client)
    ├── StoreError                the database refused or lost a write
    │   ├── DuplicateError        a unique name or key is taken
    │   └── LogDivergedError      the chain holds a root the local log cannot reproduce
    ├── ChainAccessError          the notary could not write or read the chain (HTTP 502)
    │   ├── ChainUnavailableError the node is unreachable or did not answer in time
    │   └── TransactionRevertedError a transaction or call reverted; carries ``reason``
    ├── RequestError              a client's request is wrong: a precise 4xx
    │   ├── BadRequestError       400 malformed input (digest, receipt, parameter)
    │   │   └── ClientGoneError   the client left before its body was complete (``api.bodies``)
    │   ├── UnauthenticatedError  401 missing, unknown or revoked API key
    │   ├── ForbiddenError        403 key lacks the scope for this action or kind
    │   ├── NotFoundError         404
    │   ├── ConflictError         409 reused idempotency key, final status
    │   ├── PayloadTooLargeError  413 body or batch over its limit
    │   ├── UnsupportedMediaTypeError 415 a body that is not JSON
    │   ├── UnprocessableError    422 well-formed but not acceptable (unknown version, …)
    │   └── RateLimitedError      429 rate limit; carries ``retry_after``
    └── UnavailableError          503 back-pressure or not ready; carries ``retry_after``
"""

from __future__ import annotations

from typing import ClassVar

PROBLEM_BASE = "https://govchain.example/problems/"


class NotaryError(Exception):
    """Root of every error the notary raises on purpose."""

    status = 500
    slug = "internal"
    title = "Internal error"
    retry_after: float | None = None
    #: response headers the problem carries (a challenge, the accepted media type)
    headers: ClassVar[dict[str, str]] = {}

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug


class ConfigurationError(NotaryError):
    """Settings are missing, inconsistent or use a placeholder secret."""

    slug = "configuration"
    title = "Configuration error"


class StoreError(NotaryError):
    """The notary's ``Store`` (its database) refused or lost a write."""

    slug = "storage"
    title = "Storage error"


class DuplicateError(StoreError):
    """A unique name or key is already taken."""

    slug = "duplicate"
    title = "Already exists"


class LogDivergedError(StoreError):
    """An anchored root on chain differs from the local log's root at that size."""

    slug = "log-diverged"
    title = "Local log diverged from the anchored checkpoint"


class ChainAccessError(NotaryError):
    """The chain adapter failed: node unreachable, transaction reverted, timeout."""

    status = 502
    slug = "chain"
    title = "Chain unavailable"


class ChainUnavailableError(ChainAccessError):
    """The node is unreachable or did not answer (or confirm) in time: worth a retry."""


class TransactionRevertedError(ChainAccessError):
    """A transaction or call reverted; ``reason`` is the decoded contract error (its
    name and arguments), or the node's message when it is not one of ours."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class RequestError(NotaryError):
    """The client's request cannot be served as sent."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class BadRequestError(RequestError):
    pass


class UnauthenticatedError(RequestError):
    status = 401
    slug = "unauthenticated"
    title = "Missing or invalid API key"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class ForbiddenError(RequestError):
    status = 403
    slug = "forbidden"
    title = "API key lacks the scope for this request"


class NotFoundError(RequestError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ConflictError(RequestError):
    status = 409
    slug = "conflict"
    title = "Conflicts with the current state"


class PayloadTooLargeError(RequestError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaTypeError(RequestError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"
    headers: ClassVar[dict[str, str]] = {"Accept": "application/json"}


class UnprocessableError(RequestError):
    status = 422
    slug = "unprocessable"
    title = "Unprocessable content"


class RateLimitedError(RequestError):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UnavailableError(NotaryError):
    """Back-pressure or not ready: the client should retry after ``retry_after`` s."""

    status = 503
    slug = "unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after: float = 1.0, slug: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after
        if slug is not None:
            self.slug = slug
