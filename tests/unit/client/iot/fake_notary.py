"""An in-memory notary behind ``httpx.MockTransport``: the real HTTP adapter talks to it.

It keeps the notary's idempotency rule (same key and body -> same receipts; same key,
other body -> 409), records every accepted leaf, anchors on demand, and can be told
to answer 503 with Retry-After or to be unreachable.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from govchain_client.iot.notary_api import HttpIotNotary


@dataclass
class Leaf:
    receipt_id: str
    digest: str
    device: str
    seq: int
    anchored: bool = False


@dataclass
class FakeNotary:
    api_key: str = "gck_test"
    leaves: dict[str, Leaf] = field(default_factory=dict)
    answers: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    unavailable: int = 0
    """Answer this many further requests with 503 (Retry-After: 0)."""
    unreachable: bool = False
    lose_answers: int = 0
    """Commit this many further submissions but fail the connection before answering."""

    def client(self) -> HttpIotNotary:
        return HttpIotNotary(
            "http://notary.test", self.api_key, transport=httpx.MockTransport(self.handle)
        )

    def anchor_all(self) -> None:
        for leaf in self.leaves.values():
            leaf.anchored = True

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        if self.unavailable:
            self.unavailable -= 1
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"title": "Backlog full"})
        if request.method == "POST" and request.url.path == "/v1/digests":
            return self._submit(request)
        if request.method == "GET" and request.url.path.startswith("/v1/receipts/"):
            return self._receipt(request.url.path.rsplit("/", 1)[1])
        return httpx.Response(404, json={"title": "Not found"})

    def _submit(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return httpx.Response(401, json={"title": "Unauthorized"})
        body = request.content.decode()
        parsed: dict[str, Any] = json.loads(body)
        assert parsed["kind"] == "iot"
        key = request.headers["idempotency-key"]
        if key in self.answers:
            stored_body, ids = self.answers[key]
            if stored_body != body:
                return httpx.Response(409, json={"title": "Idempotency-Key reused"})
        else:
            ids = []
            for item in parsed["items"]:
                rid = secrets.token_hex(16)
                self.leaves[rid] = Leaf(rid, item["digest"], item["device"], item["seq"])
                ids.append(rid)
            self.answers[key] = (body, ids)
        if self.lose_answers:
            self.lose_answers -= 1
            raise httpx.ReadError("connection reset after commit", request=request)
        refs = [
            {"id": rid, "digest": self.leaves[rid].digest, "url": f"/v1/receipts/{rid}"}
            for rid in ids
        ]
        return httpx.Response(
            202,
            json={
                "status": "pending",
                "issuer": "0x" + "d0" * 20,
                "kind": "iot",
                "count": len(ids),
                "receipts": refs,
            },
        )

    def _receipt(self, rid: str) -> httpx.Response:
        leaf = self.leaves.get(rid)
        if leaf is None:
            return httpx.Response(404, json={"title": "Not found"})
        view: dict[str, Any] = {
            "id": rid,
            "status": "pending",
            "digest": leaf.digest,
            "kind": "iot",
            "issuer": "0x" + "d0" * 20,
            "log_index": list(self.leaves).index(rid),
            "leaf_hash": "00" * 32,
        }
        if leaf.anchored:
            view["status"] = "anchored"
            view["receipt"] = {
                "version": 1,
                "leaf": {"digest": leaf.digest, "device": leaf.device, "seq": leaf.seq},
            }
        return httpx.Response(200, json=view)
