"""The fake notary answers the bridge's requests as the real notary app does.

The same conversation (the two endpoints the bridge uses, with the answers it must
handle) is held with both; each answer is reduced to what the client may rely on:
the status code, the content type, the headers it reads, and the JSON's shape (keys
and value types, with the protocol's literal values kept).  Identifiers, digests,
salts and hashes differ between the two and are compared by type only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.unit.client.iot.app_notary import AppNotary, app_notary
from tests.unit.client.iot.fake_notary import FakeNotary
from tests.unit.client.iot.notary_double import NOTARY_URL, NotaryDouble

DEVICE = "0004a30b001c0530"
LITERALS = frozenset({"status", "type", "title", "kind", "version", "algorithm", "v"})
"""Keys whose values are part of the protocol, not data."""


def batch(*digits: str) -> dict[str, Any]:
    items = [
        {"digest": "sha256:" + d * 64, "device": DEVICE, "seq": n} for n, d in enumerate(digits)
    ]
    return {"kind": "iot", "items": items}


def shape(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return value if key in LITERALS else type(value).__name__


def seen(response: httpx.Response) -> dict[str, Any]:
    retry_after = response.headers.get("retry-after")
    return {
        "status": response.status_code,
        "content-type": response.headers.get("content-type"),
        "www-authenticate": response.headers.get("www-authenticate"),
        # the value is configuration; the client needs whole seconds, at least one
        "retry-after": retry_after if retry_after is None else int(retry_after) >= 1,
        "body": shape(response.json()),
    }


def conversation(notary: NotaryDouble) -> dict[str, dict[str, Any]]:
    """Every answer the bridge's adapter meets, from a notary in a fresh state."""
    answers = {}
    auth = {"Authorization": f"Bearer {notary.api_key}"}
    with httpx.Client(base_url=NOTARY_URL, transport=httpx.MockTransport(notary.handle)) as http:

        def submit(label: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
            answers[label] = seen(response := http.post("/v1/digests", json=body, headers=headers))
            return response

        def receipt(label: str, receipt_id: str) -> None:
            answers[label] = seen(http.get(f"/v1/receipts/{receipt_id}"))

        first = submit("accepted", batch("a", "b", "c"), {**auth, "Idempotency-Key": "k1"})
        submit("replayed", batch("a", "b", "c"), {**auth, "Idempotency-Key": "k1"})
        submit("key reused", batch("d"), {**auth, "Idempotency-Key": "k1"})
        submit("no API key", batch("d"), {"Idempotency-Key": "k2"})
        submit("wrong API key", batch("d"), {"Authorization": "Bearer wrong"})
        receipt_id = first.json()["receipts"][1]["id"]
        receipt("pending", receipt_id)
        notary.anchor_all()
        receipt("anchored", receipt_id)
        receipt("unknown receipt", "f" * 32)
        receipt("malformed receipt id", "nope")
    return answers


@pytest.fixture
def real(tmp_path: Path) -> Iterator[AppNotary]:
    with app_notary(tmp_path) as notary:
        yield notary


def test_fake_answers_like_the_real_app(real: AppNotary) -> None:
    expected = conversation(real)
    assert conversation(FakeNotary()) == expected
    assert [a["status"] for a in expected.values()] == [202, 202, 409, 401, 401, 200, 200, 404, 422]


def test_fake_503_is_the_real_apps_full_backlog(tmp_path: Path) -> None:
    """The fake answers 503 when told to; the real app when its backlog is full."""
    body = batch("a", "b", "c")
    answers = []
    with app_notary(tmp_path, backlog_limit=2) as real:
        for notary in (real, FakeNotary(unavailable=1)):
            transport = httpx.MockTransport(notary.handle)
            with httpx.Client(base_url=NOTARY_URL, transport=transport) as http:
                auth = {"Authorization": f"Bearer {notary.api_key}"}
                answers.append(seen(http.post("/v1/digests", json=body, headers=auth)))
    assert answers[0]["status"] == 503
    assert answers[1] == answers[0]
