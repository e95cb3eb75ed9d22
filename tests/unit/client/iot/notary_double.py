"""What the bridge tests ask of a notary, whichever one answers: the fake or the real app.

``NotaryDouble`` sits where the network would be (an ``httpx.MockTransport`` under the
real HTTP adapter): it records every request and can fail the connection, before the
request arrives (``unreachable``) or after a submission was committed (``lose_answers``).
Those are network faults, so they apply to both notaries alike; what answers the
request is up to the subclass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import httpx

from govchain_client.iot.notary_api import HttpIotNotary

NOTARY_URL = "http://notary.test"


class NotaryDouble(ABC):
    """A notary reached in memory, with its request log and the network's faults."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        """A key the notary accepts for ``submit:iot``."""
        self.requests: list[httpx.Request] = []
        self.unreachable = False
        self.lose_answers = 0
        """Commit this many further submissions but fail the connection before answering."""

    def client(self, api_key: str | None = None) -> HttpIotNotary:
        """The bridge's HTTP adapter, with this notary's key unless told another."""
        key = self.api_key if api_key is None else api_key
        return HttpIotNotary(NOTARY_URL, key, transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        response = self.answer(request)
        if self.lose_answers and request.method == "POST" and response.is_success:
            self.lose_answers -= 1
            raise httpx.ReadError("connection reset after commit", request=request)
        return response

    @abstractmethod
    def answer(self, request: httpx.Request) -> httpx.Response:
        """The notary's own answer to a request that reached it."""

    @abstractmethod
    def anchor_all(self) -> None:
        """Anchor every accepted reading now."""

    @abstractmethod
    def receipt_ids(self) -> list[str]:
        """The ids of every accepted reading, in log order."""
