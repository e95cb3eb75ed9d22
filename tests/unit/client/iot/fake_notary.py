"""An in-memory notary behind ``httpx.MockTransport``: the real HTTP adapter talks to it.

It keeps the notary's idempotency rule (same key and batch -> same receipts; same key,
other batch -> 409), builds real leaves and inclusion proofs with the core (the anchor
is made up), anchors on demand, answers errors as RFC 9457 problems, and can be told
to answer 503 (the real notary's back-pressure answer) to further requests.
``test_notary_contract`` holds its answers to the real app's shapes.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

from govchain_core.digest import parse_digest
from govchain_core.leaf import LeafRecord, new_leaf
from govchain_core.log import MerkleLog
from govchain_core.receipt import AnchorRef, InclusionProof, Receipt
from govchain_core.receipt_codec import receipt_to_object
from tests.unit.client.iot.notary_double import NotaryDouble

ISSUER = "0x" + "d0" * 20
PROBLEM_BASE = "https://govchain.example/problems/"
RECEIPT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass
class Leaf:
    receipt_id: str
    record: LeafRecord
    index: int


class FakeNotary(NotaryDouble):
    def __init__(self, api_key: str = "gck_test", unavailable: int = 0) -> None:
        super().__init__(api_key)
        self.leaves: dict[str, Leaf] = {}
        self.log = MerkleLog()
        self.checkpoints: list[tuple[int, AnchorRef]] = []
        self.answers: dict[str, tuple[Any, list[str]]] = {}
        self.unavailable = unavailable
        """Answer this many further requests with 503 (Retry-After: 1, the real floor)."""

    def anchor_all(self) -> None:
        size = self.log.size
        if size > (self.checkpoints[-1][0] if self.checkpoints else 0):
            self.checkpoints.append((size, _made_up_anchor(size, len(self.checkpoints) + 1)))

    def receipt_ids(self) -> list[str]:
        return list(self.leaves)

    def answer(self, request: httpx.Request) -> httpx.Response:
        if self.unavailable:
            self.unavailable -= 1
            return problem(
                request,
                503,
                "backlog",
                "Service unavailable",
                "too many digests wait for anchoring; retry later",
                {"Retry-After": "1"},
            )
        path = request.url.path
        if request.method == "POST" and path == "/v1/digests":
            return self._submit(request)
        if request.method == "GET" and path.startswith("/v1/receipts/"):
            return self._receipt(request, path.rsplit("/", 1)[1])
        return problem(request, 404, "not-found", "Not found", f"no route {path}")

    def _submit(self, request: httpx.Request) -> httpx.Response:
        authorization = request.headers.get("authorization")
        if authorization != f"Bearer {self.api_key}":
            detail = "malformed API key" if authorization else "send an API key"
            return problem(
                request,
                401,
                "unauthenticated",
                "Missing or invalid API key",
                detail,
                {"WWW-Authenticate": "Bearer"},
            )
        parsed: dict[str, Any] = json.loads(request.content)
        batch = (parsed["kind"], parsed["items"])  # what a retry must repeat
        key = request.headers.get("idempotency-key")
        if key is not None and key in self.answers:
            stored_batch, ids = self.answers[key]
            if stored_batch != batch:
                return problem(
                    request,
                    409,
                    "conflict",
                    "Conflicts with the current state",
                    "this Idempotency-Key was used before with a different request body",
                )
        else:
            ids = [self._accept(parsed["kind"], item) for item in parsed["items"]]
            if key is not None:
                self.answers[key] = (batch, ids)
        refs = [
            {"id": rid, "digest": str(self.leaves[rid].record.digest), "url": f"/v1/receipts/{rid}"}
            for rid in ids
        ]
        body = {"status": "pending", "issuer": ISSUER, "kind": parsed["kind"]}
        return httpx.Response(202, json={**body, "count": len(ids), "receipts": refs})

    def _accept(self, kind: str, item: dict[str, Any]) -> str:
        record = new_leaf(
            kind, parse_digest(item["digest"]), ISSUER, device=item["device"], seq=item["seq"]
        )
        index = self.log.append(record.leaf_hash())
        receipt_id = f"{index:032x}"
        self.leaves[receipt_id] = Leaf(receipt_id, record, index)
        return receipt_id

    def _receipt(self, request: httpx.Request, rid: str) -> httpx.Response:
        if not RECEIPT_ID.fullmatch(rid):
            message = "String should match pattern '^[0-9a-f]{32}$'"
            error = {
                "location": ["path", "receipt_id"],
                "message": message,
                "type": "string_pattern_mismatch",
            }
            return problem(
                request,
                422,
                "validation",
                "Request validation failed",
                f"path.receipt_id: {message}",
                errors=[error],
            )
        leaf = self.leaves.get(rid)
        if leaf is None:
            return problem(request, 404, "not-found", "Not found", f"no receipt with id {rid!r}")
        view: dict[str, Any] = {
            "id": rid,
            "digest": str(leaf.record.digest),
            "kind": leaf.record.kind,
            "issuer": ISSUER,
            "log_index": leaf.index,
            "leaf_hash": leaf.record.leaf_hash().hex(),
        }
        covering = next((c for c in self.checkpoints if c[0] > leaf.index), None)
        if covering is None:
            return httpx.Response(
                200, json={**view, "status": "pending", "leaf": leaf.record.to_object()}
            )
        size, anchor = covering
        path = tuple(self.log.inclusion_proof(leaf.index, size))
        proof = InclusionProof(leaf.index, size, path, self.log.root(size))
        receipt = receipt_to_object(Receipt(leaf.record, proof, anchor))
        return httpx.Response(200, json={**view, "status": "anchored", "receipt": receipt})


def _made_up_anchor(size: int, block: int) -> AnchorRef:
    """An anchor of the right shape; nothing checks it against a chain here."""
    tx_hash = hashlib.sha256(b"tx" + size.to_bytes(8, "big")).digest()
    block_hash = hashlib.sha256(b"block" + block.to_bytes(8, "big")).digest()
    return AnchorRef(1337, "0x" + "a5" * 20, tx_hash, block, block_hash, int(time.time()))


def problem(
    request: httpx.Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> httpx.Response:
    """An RFC 9457 problem as the notary writes it."""
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return httpx.Response(
        status,
        headers={**(headers or {}), "Content-Type": "application/problem+json"},
        content=json.dumps(body).encode(),
    )
