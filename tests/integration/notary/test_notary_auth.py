"""Every write endpoint refuses missing, wrong, revoked and out-of-scope keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.notary.conftest import Api

DIGEST = "sha256:" + "cd" * 32

Write = Callable[[Api, dict[str, str]], Any]


def _submit(api: Api, headers: dict[str, str]) -> Any:
    return api.http.post(
        "/v1/digests",
        json={"kind": "iot", "digest": DIGEST, "device": "d-1", "seq": 1},
        headers=headers,
    )


def _status(api: Api, headers: dict[str, str]) -> Any:
    created = api.http.post(
        "/v1/digests",
        json={"kind": "iot", "digest": DIGEST, "device": "d-1", "seq": 2},
        headers=api.auth("writer"),
    )
    receipt_id = created.json()["receipts"][0]["id"]
    return api.http.post(
        "/v1/status", json={"receipt_id": receipt_id, "action": "suspend"}, headers=headers
    )


WRITES: list[Write] = [_submit, _status]


@pytest.mark.parametrize("write", WRITES, ids=["submit", "status"])
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 401),
        ({"Authorization": "Bearer gck_" + "x" * 43}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
    ],
    ids=["missing", "wrong", "malformed", "wrong-scheme"],
)
def test_refuses_bad_keys(api: Api, write: Write, headers: dict[str, str], expected: int) -> None:
    response = write(api, headers)
    assert response.status_code == expected, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("write", WRITES, ids=["submit", "status"])
def test_refuses_revoked_keys(api: Api, write: Write) -> None:
    response = write(api, api.auth("revoked"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize("write", WRITES, ids=["submit", "status"])
def test_refuses_out_of_scope_keys(api: Api, write: Write) -> None:
    response = write(api, api.auth("certs_only"))
    assert response.status_code == 403


def test_status_refuses_another_issuers_key(api: Api) -> None:
    assert _status(api, api.auth("other")).status_code == 403


def test_scoped_key_may_submit_its_kind(api: Api) -> None:
    response = api.http.post(
        "/v1/digests",
        json={"kind": "certificate", "digest": DIGEST},
        headers=api.auth("certs_only"),
    )
    assert response.status_code == 202


def test_x_api_key_header_is_not_a_bearer(api: Api) -> None:
    response = api.http.post(
        "/v1/digests",
        json={"kind": "certificate", "digest": DIGEST},
        headers={"X-API-Key": api.keys["writer"]},
    )
    assert response.status_code == 401


def test_per_client_rate_limit(api: Api) -> None:
    from govchain_notary.auth import new_client

    _, key = new_client(api.service.store, "slow", api.service.issuers[0], ["submit:*"], 0.01)
    codes = [
        api.http.post(
            "/v1/digests",
            json={"kind": "certificate", "digest": DIGEST},
            headers={"Authorization": f"Bearer {key}"},
        ).status_code
        for _ in range(4)
    ]
    assert codes[0] == 202
    assert codes[-1] == 429
