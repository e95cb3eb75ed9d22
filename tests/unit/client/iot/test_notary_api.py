"""The HTTP adapter: request shape, headers, error mapping, answer checks.

The tests taking ``notary`` run against the fake and against the real notary app."""

from __future__ import annotations

import json

import httpx
import pytest

from govchain_client.errors import AuthError, NotaryError, UnavailableError
from govchain_client.iot.batching import BatchItem, batch_key
from govchain_client.iot.notary_api import HttpIotNotary
from tests.unit.client.iot.fake_notary import FakeNotary
from tests.unit.client.iot.notary_double import NotaryDouble

ITEMS = (BatchItem(1, "sha256:" + "ab" * 32, "0004a30b001c0530", 7),)


def test_submit_sends_iot_items_with_device_and_seq(notary: NotaryDouble) -> None:
    with notary.client() as client:
        ids = client.submit_readings(ITEMS, batch_key(ITEMS))
    request = notary.requests[0]
    assert json.loads(request.content) == {
        "kind": "iot",
        "items": [{"digest": ITEMS[0].digest, "device": "0004a30b001c0530", "seq": 7}],
    }
    assert request.headers["authorization"] == f"Bearer {notary.api_key}"
    assert request.headers["idempotency-key"] == batch_key(ITEMS)
    assert ids == notary.receipt_ids()


def test_same_key_gives_the_same_receipts(notary: NotaryDouble) -> None:
    with notary.client() as client:
        first = client.submit_readings(ITEMS, batch_key(ITEMS))
        second = client.submit_readings(ITEMS, batch_key(ITEMS))
    assert first == second
    assert len(notary.receipt_ids()) == 1


def test_same_key_with_another_batch_is_refused(notary: NotaryDouble) -> None:
    other = (BatchItem(2, "sha256:" + "cd" * 32, "0004a30b001c0530", 8),)
    with notary.client() as client:
        client.submit_readings(ITEMS, "k")
        with pytest.raises(NotaryError) as info:
            client.submit_readings(other, "k")
    assert info.value.status == 409
    assert len(notary.receipt_ids()) == 1


def test_503_maps_to_unavailable_with_retry_after() -> None:
    """Fake only: told to answer 503, as the real app does when its backlog is full."""
    notary = FakeNotary(unavailable=1)
    with notary.client() as client, pytest.raises(UnavailableError) as info:
        client.submit_readings(ITEMS, "k")
    assert info.value.retry_after == 1.0


def test_wrong_key_maps_to_auth_error(notary: NotaryDouble) -> None:
    with notary.client("wrong") as client, pytest.raises(AuthError) as info:
        client.submit_readings(ITEMS, "k")
    assert info.value.status == 401
    assert notary.receipt_ids() == []


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
