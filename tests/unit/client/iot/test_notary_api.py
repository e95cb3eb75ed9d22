"""The HTTP adapter: request shape, headers, error mapping, answer checks."""

from __future__ import annotations

import json

import httpx
import pytest

from govchain_client.errors import AuthError, NotaryError, UnavailableError
from govchain_client.iot.batching import BatchItem, batch_key
from govchain_client.iot.notary_api import HttpIotNotary
from tests.unit.client.iot.fake_notary import FakeNotary

ITEMS = (BatchItem(1, "sha256:" + "ab" * 32, "0004a30b001c0530", 7),)


def test_submit_sends_iot_items_with_device_and_seq() -> None:
    notary = FakeNotary()
    with notary.client() as client:
        ids = client.submit_readings(ITEMS, batch_key(ITEMS))
    request = notary.requests[0]
    assert json.loads(request.content) == {
        "kind": "iot",
        "items": [{"digest": ITEMS[0].digest, "device": "0004a30b001c0530", "seq": 7}],
    }
    assert request.headers["authorization"] == "Bearer gck_test"
    assert request.headers["idempotency-key"] == batch_key(ITEMS)
    assert ids == list(notary.leaves)


def test_same_key_gives_the_same_receipts() -> None:
    notary = FakeNotary()
    with notary.client() as client:
        first = client.submit_readings(ITEMS, batch_key(ITEMS))
        second = client.submit_readings(ITEMS, batch_key(ITEMS))
    assert first == second
    assert len(notary.leaves) == 1


def test_503_maps_to_unavailable_with_retry_after() -> None:
    notary = FakeNotary(unavailable=1)
    with notary.client() as client, pytest.raises(UnavailableError) as info:
        client.submit_readings(ITEMS, "k")
    assert info.value.retry_after == 0.0


def test_wrong_key_maps_to_auth_error() -> None:
    notary = FakeNotary()
    client = HttpIotNotary("http://n", "wrong", transport=httpx.MockTransport(notary.handle))
    with client, pytest.raises(AuthError):
        client.submit_readings(ITEMS, "k")


def test_answer_that_does_not_match_the_batch_is_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        refs = [{"id": "x" * 32, "digest": "sha256:" + "00" * 32, "url": "/"}]
        return httpx.Response(202, json={"receipts": refs})

    client = HttpIotNotary("http://n", "k", transport=httpx.MockTransport(handler))
    with client, pytest.raises(NotaryError):
        client.submit_readings(ITEMS, "k")


def test_non_json_error_body() -> None:
    client = HttpIotNotary(
        "http://n", "k", transport=httpx.MockTransport(lambda r: httpx.Response(500, text="x"))
    )
    with client, pytest.raises(NotaryError) as info:
        client.receipt("r")
    assert info.value.status == 500
