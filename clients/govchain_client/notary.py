"""Python SDK for the notary API, sync (``NotaryClient``) and async (``AsyncNotaryClient``).

Both share one request builder and one response interpreter, so they differ only
in how they perform I/O.  Writes carry an idempotency key (generated when not
given), so the automatic retries after 429/503 (honouring ``Retry-After``) and
after connection failures can never notarise a document twice.

Errors are the SDK's own (``govchain_client.errors``): an unreachable, hanging or
garbling server raises a ``TransportError`` subclass naming the URL, never an httpx
exception.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from govchain_client._transport import answer_object, mapped_errors
from govchain_client.errors import (
    ConnectError,
    NetworkError,
    NotaryError,
    RateLimitedError,
    RequestTimeoutError,
    TransportError,
)
from govchain_core.digest import Digest
from govchain_core.receipt import Receipt
from govchain_core.receipt_codec import receipt_from_object

DEFAULT_URL = "http://127.0.0.1:8000"
MAX_BATCH = 10_000
#: Transport failures worth another attempt; a server that garbles or a bad URL is not.
RETRIED_TRANSPORT_ERRORS = (ConnectError, RequestTimeoutError, NetworkError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries for 429/503 and connection errors: exponential back-off with jitter.

    Timeouts are retried too: writes carry an idempotency key, so a request whose
    answer was lost is applied once however often it is sent.
    """

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0

    def after_failure(self, attempt: int, exc: Exception) -> float:
        """Seconds to wait before the next attempt; re-raise when not worth retrying."""
        if attempt + 1 >= self.attempts:
            raise exc
        if isinstance(exc, RateLimitedError):  # 429 and 503: the server says when
            return self.delay(attempt, exc.retry_after or None)
        if isinstance(exc, RETRIED_TRANSPORT_ERRORS):
            return self.delay(attempt, None)
        raise exc

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        backoff: float = min(self.max_delay, self.base_delay * 2**attempt)
        return backoff * (0.5 + random.random() / 2)


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Submission:
    """What the notary acknowledged: durably accepted, maybe already anchored."""

    status: str
    issuer: str
    kind: str
    receipt_ids: tuple[str, ...]
    digests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReceiptState:
    """A receipt as the notary returns it: pending, or complete with its receipt v1."""

    id: str
    status: str
    digest: str
    raw: dict[str, Any]

    @property
    def receipt(self) -> Receipt | None:
        obj = self.raw.get("receipt")
        return receipt_from_object(obj) if obj is not None else None


class _Api:
    """Builds requests and interprets responses; no I/O."""

    def __init__(self, api_key: str | None) -> None:
        self.api_key = api_key

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def arguments(self, request: Request) -> dict[str, Any]:
        """Keyword arguments of ``httpx.Client.request`` for ``request``."""
        return {
            "method": request.method,
            "url": request.path,
            "json": request.json,
            "params": request.params,
            "headers": {**self.headers(), **request.headers},
        }

    def submit(
        self,
        kind: str,
        digests: Sequence[Digest | str],
        idempotency_key: str | None,
        wait: float,
        meta: Digest | str | None = None,
        description: Mapping[str, str] | None = None,
    ) -> Request:
        if not 1 <= len(digests) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1..{MAX_BATCH} digests")
        items: list[dict[str, Any]] = [{"digest": str(d)} for d in digests]
        for item in items:
            if meta is not None:
                item["meta"] = str(meta)
            if description is not None:
                item["description"] = dict(description)
        key = idempotency_key or uuid.uuid4().hex
        params = {"wait": wait} if wait else {}
        return Request(
            "POST",
            "/v1/digests",
            {"kind": kind, "items": items},
            params,
            {"Idempotency-Key": key},
        )

    @staticmethod
    def submission(body: dict[str, Any]) -> Submission:
        refs = body["receipts"]
        return Submission(
            status=body["status"],
            issuer=body["issuer"],
            kind=body["kind"],
            receipt_ids=tuple(r["id"] for r in refs),
            digests=tuple(r["digest"] for r in refs),
        )

    @staticmethod
    def receipt_state(body: dict[str, Any]) -> ReceiptState:
        return ReceiptState(body["id"], body["status"], body["digest"], body)

    @staticmethod
    def verify(receipt: dict[str, Any], document: Digest | str | None) -> Request:
        body: dict[str, Any] = {"receipt": receipt}
        if document is not None:
            body["document_digest"] = str(document)
        return Request("POST", "/v1/verify", body)

    @staticmethod
    def status_change(receipt_id: str, action: str, superseded_by: str | None) -> Request:
        body: dict[str, Any] = {"receipt_id": receipt_id, "action": action}
        if superseded_by is not None:
            body["superseded_by"] = superseded_by
        return Request("POST", "/v1/status", body)


class NotaryClient:
    """Blocking client for one notary."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self._api = _Api(api_key)
        self._retry = retry or RetryPolicy()
        with mapped_errors(url):
            self._http = httpx.Client(base_url=url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NotaryClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def submit(
        self,
        kind: str,
        digests: Sequence[Digest | str],
        *,
        idempotency_key: str | None = None,
        wait: float = 0,
        meta: Digest | str | None = None,
        description: Mapping[str, str] | None = None,
    ) -> Submission:
        """Notarise digests of one kind.  ``description`` (``title``, ``reference``,
        optionally ``nonce``) is the issuer's public description of each document,
        shown by the web verifier to anyone holding the fingerprint: a document type
        and a file reference, never personal data.  The notary binds it to the leaf
        by ``meta`` (sha256 of its RFC 8785 bytes) and adds a nonce when it has none."""
        request = self._api.submit(kind, digests, idempotency_key, wait, meta, description)
        return self._api.submission(self._send(request))

    def receipt(self, receipt_id: str) -> ReceiptState:
        return self._api.receipt_state(self._send(Request("GET", f"/v1/receipts/{receipt_id}")))

    def lookup(self, digest: Digest | str) -> dict[str, Any]:
        return self._send(Request("GET", f"/v1/digests/{digest}"))

    def verify(
        self, receipt: dict[str, Any], document: Digest | str | None = None
    ) -> dict[str, Any]:
        return self._send(self._api.verify(receipt, document))

    def change_status(
        self, receipt_id: str, action: str, superseded_by: str | None = None
    ) -> dict[str, Any]:
        return self._send(self._api.status_change(receipt_id, action, superseded_by))

    def deployment(self) -> dict[str, Any]:
        return self._send(Request("GET", "/v1/deployment"))

    def _send(self, request: Request) -> dict[str, Any]:
        for attempt in range(self._retry.attempts):
            try:
                with mapped_errors(self.url):
                    response = self._http.request(**self._api.arguments(request))
                return answer_object(response, self.url)
            except (NotaryError, TransportError) as exc:
                time.sleep(self._retry.after_failure(attempt, exc))
        raise AssertionError("unreachable")


class AsyncNotaryClient:
    """Asynchronous client for one notary (same methods as ``NotaryClient``)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._api = _Api(api_key)
        self._retry = retry or RetryPolicy()
        with mapped_errors(url):
            self._http = httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncNotaryClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def submit(
        self,
        kind: str,
        digests: Sequence[Digest | str],
        *,
        idempotency_key: str | None = None,
        wait: float = 0,
        meta: Digest | str | None = None,
        description: Mapping[str, str] | None = None,
    ) -> Submission:
        """Notarise digests of one kind.  ``description`` (``title``, ``reference``,
        optionally ``nonce``) is the issuer's public description of each document,
        shown by the web verifier to anyone holding the fingerprint: a document type
        and a file reference, never personal data.  The notary binds it to the leaf
        by ``meta`` (sha256 of its RFC 8785 bytes) and adds a nonce when it has none."""
        request = self._api.submit(kind, digests, idempotency_key, wait, meta, description)
        return self._api.submission(await self._send(request))

    async def receipt(self, receipt_id: str) -> ReceiptState:
        body = await self._send(Request("GET", f"/v1/receipts/{receipt_id}"))
        return self._api.receipt_state(body)

    async def lookup(self, digest: Digest | str) -> dict[str, Any]:
        return await self._send(Request("GET", f"/v1/digests/{digest}"))

    async def verify(
        self, receipt: dict[str, Any], document: Digest | str | None = None
    ) -> dict[str, Any]:
        return await self._send(self._api.verify(receipt, document))

    async def change_status(
        self, receipt_id: str, action: str, superseded_by: str | None = None
    ) -> dict[str, Any]:
        return await self._send(self._api.status_change(receipt_id, action, superseded_by))

    async def deployment(self) -> dict[str, Any]:
        return await self._send(Request("GET", "/v1/deployment"))

    async def _send(self, request: Request) -> dict[str, Any]:
        for attempt in range(self._retry.attempts):
            try:
                with mapped_errors(self.url):
                    response = await self._http.request(**self._api.arguments(request))
                return answer_object(response, self.url)
            except (NotaryError, TransportError) as exc:
                await asyncio.sleep(self._retry.after_failure(attempt, exc))
        raise AssertionError("unreachable")
