"""The SDK's notary client against an in-memory HTTP transport (the real notary is
exercised in tests/integration/client)."""

from __future__ import annotations

import json

import httpx
import pytest

from govchain_client.errors import AuthError, NotaryError, UnavailableError
from govchain_client.notary import AsyncNotaryClient, NotaryClient, RetryPolicy
from govchain_core.digest import digest_bytes

FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.01)
DIGEST = str(digest_bytes(b"doc"))


def accepted(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    refs = [
        {"id": f"r{i}", "digest": item["digest"], "url": f"/v1/receipts/r{i}"}
        for i, item in enumerate(body["items"])
    ]
    return httpx.Response(
        202,
        json={
            "status": "pending",
            "issuer": "0x" + "11" * 20,
            "kind": body["kind"],
            "count": len(refs),
            "receipts": refs,
        },
    )


def test_submit_sends_key_and_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return accepted(request)

    with NotaryClient("http://notary", "k-123", transport=httpx.MockTransport(handler)) as client:
        result = client.submit("certificate", [DIGEST, DIGEST])
    assert result.receipt_ids == ("r0", "r1")
    assert seen[0].headers["authorization"] == "Bearer k-123"
    assert len(seen[0].headers["idempotency-key"]) == 32


def test_503_is_retried_with_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"title": "Backlog full"})
        return accepted(request)

    with NotaryClient(
        "http://notary", "k", retry=FAST, transport=httpx.MockTransport(handler)
    ) as client:
        client.submit("iot", [DIGEST])
    assert len(seen) == 2
    assert seen[0].headers["idempotency-key"] == seen[1].headers["idempotency-key"]


def test_persistent_503_surfaces_with_retry_after() -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "7"}, json={"title": "Backlog full"})

    with (
        NotaryClient("http://notary", retry=FAST, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(UnavailableError) as caught,
    ):
        client.submit("iot", [DIGEST])
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_are_not_retried(status: int) -> None:
    calls = 0

    def handler(_: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(status, json={"title": "Forbidden", "detail": "scope submit:iot"})

    with (
        NotaryClient(
            "http://notary", "bad", retry=FAST, transport=httpx.MockTransport(handler)
        ) as client,
        pytest.raises(AuthError, match="scope submit:iot"),
    ):
        client.submit("iot", [DIGEST])
    assert calls == 1


def test_problem_details_are_kept() -> None:
    problem = {
        "type": "about:blank",
        "title": "Unprocessable",
        "status": 422,
        "detail": "bad digest",
    }

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=problem)

    transport = httpx.MockTransport(handler)
    with (
        NotaryClient("http://notary", transport=transport) as client,
        pytest.raises(NotaryError) as caught,
    ):
        client.lookup("sha256:00")
    assert caught.value.problem == problem
    assert caught.value.status == 422


def test_batches_are_bounded() -> None:
    with NotaryClient("http://notary") as client, pytest.raises(ValueError, match=r"1\.\.10000"):
        client.submit("iot", [])


@pytest.mark.anyio
async def test_async_client_submits() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return accepted(request)

    async with AsyncNotaryClient(
        "http://notary", "k", transport=httpx.MockTransport(handler)
    ) as client:
        result = await client.submit("register", [DIGEST])
    assert result.kind == "register"


def test_submit_sends_the_description_with_every_item() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return accepted(request)

    other = str(digest_bytes(b"other"))
    described = {"title": "Meldebescheinigung", "reference": "AZ 33-2026/0815"}
    with NotaryClient("http://notary", "k", transport=httpx.MockTransport(handler)) as client:
        client.submit("certificate", [DIGEST, other], description=described)
        client.submit("certificate", [DIGEST])
    assert seen[0]["items"] == [
        {"digest": DIGEST, "description": described},
        {"digest": other, "description": described},
    ]
    assert seen[1]["items"] == [{"digest": DIGEST}]
