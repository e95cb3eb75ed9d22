"""The two notary calls the bridge needs, behind a small interface with an HTTP adapter.

The SDK's ``NotaryClient.submit`` sends plain digests; IoT leaves also carry the
device and its sequence number (``{"digest", "device", "seq"}`` items of
``POST /v1/digests``), so this adapter speaks that request itself, with the same
``Authorization: Bearer`` and ``Idempotency-Key`` headers.  It makes exactly one
attempt per call: the bridge's submit loop owns retries and back-off, because it
must keep spooling and never give up while the notary is down.

Errors: the SDK's ``NotaryError`` family for HTTP error statuses (``UnavailableError``
with ``retry_after`` for 503), the SDK's ``TransportError`` family when the notary is
unreachable, hangs or answers something that is not its JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from govchain_client._transport import answer_object, mapped_errors
from govchain_client.errors import (
    NotaryError,
)
from govchain_client.iot.batching import BatchItem

KIND = "iot"


class IotNotary(Protocol):
    """What the bridge asks of a notary."""

    def submit_readings(self, items: Sequence[BatchItem], idempotency_key: str) -> list[str]:
        """Submit one batch; return the receipt ids in item order."""

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        """The notary's receipt view (``status`` "pending" or "anchored" with ``receipt``)."""


class HttpIotNotary:
    """``IotNotary`` over the notary's HTTP API v1."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url
        with mapped_errors(url):
            self._http = httpx.Client(
                base_url=url, timeout=timeout, headers=headers, transport=transport
            )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpIotNotary:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def submit_readings(self, items: Sequence[BatchItem], idempotency_key: str) -> list[str]:
        with mapped_errors(self.url):
            response = self._http.post(
                "/v1/digests",
                json={"kind": KIND, "items": [item.as_json() for item in items]},
                headers={"Idempotency-Key": idempotency_key},
            )
        return receipt_ids(items, answer_object(response, self.url))

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        with mapped_errors(self.url):
            response = self._http.get(f"/v1/receipts/{receipt_id}")
        return answer_object(response, self.url)


def receipt_ids(items: Sequence[BatchItem], body: dict[str, Any]) -> list[str]:
    """The receipt ids of an accepted batch, checked against what was sent."""
    refs = body.get("receipts")
    if not isinstance(refs, list) or len(refs) != len(items):
        raise NotaryError(200, {"title": "answer does not list one receipt per reading"})
    ids = []
    for ref, item in zip(refs, items, strict=True):
        if not isinstance(ref, dict) or ref.get("digest") != item.digest:
            raise NotaryError(200, {"title": "answer's receipts do not match the batch"})
        ids.append(str(ref["id"]))
    return ids
