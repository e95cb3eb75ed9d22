"""API v1 end to end over SQLite and PostgreSQL, with the in-memory chain."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from govchain_core.receipt_codec import receipt_from_object
from tests.integration.notary.conftest import ISSUER, Api, make_api
from tests.support.clocks import ManualClock

DIGEST = "sha256:" + "ab" * 32


def _digest(n: int) -> str:
    return f"sha256:{n:064x}"


def _submit(api: Api, body: dict[str, Any], **params: Any) -> Any:
    return api.http.post("/v1/digests", json=body, headers=api.auth(), params=params)


def _anchored_receipt(api: Api, receipt_id: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view: dict[str, Any] = api.http.get(f"/v1/receipts/{receipt_id}").json()
        if view["status"] == "anchored":
            return view
        time.sleep(0.02)
    raise AssertionError(f"{receipt_id} not anchored within {timeout}s")


def test_single_digest_is_accepted_then_anchored(api: Api) -> None:
    response = _submit(api, {"kind": "certificate", "digest": DIGEST})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["issuer"], body["count"]) == ("pending", ISSUER, 1)
    view = _anchored_receipt(api, body["receipts"][0]["id"])
    receipt = receipt_from_object(view["receipt"])
    assert str(receipt.leaf.digest) == DIGEST
    assert receipt.leaf.issuer == ISSUER
    verdict = api.http.post(
        "/v1/verify", json={"receipt": view["receipt"], "document_digest": DIGEST}
    ).json()
    assert verdict["ok"], verdict
    assert [s["name"] for s in verdict["steps"]] == ["format", "inclusion", "anchor", "issuer"]


def test_wait_long_polls_until_anchored(api: Api) -> None:
    response = _submit(api, {"kind": "register", "digest": DIGEST}, wait=10)
    assert response.status_code == 200
    assert response.json()["status"] == "anchored"


def test_batch_of_ten_thousand(api: Api) -> None:
    items = [{"digest": _digest(n)} for n in range(10_000)]
    response = _submit(api, {"kind": "dataset", "items": items}, wait=20)
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["receipts"]]
    assert len(set(ids)) == 10_000
    view = api.http.get(f"/v1/receipts/{ids[-1]}").json()
    assert view["receipt"]["proof"]["index"] == 9_999


def test_oversize_batch_is_413(api: Api) -> None:
    items = [{"digest": _digest(n)} for n in range(10_001)]
    response = _submit(api, {"kind": "dataset", "items": items})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_oversize_body_is_413(api: Api) -> None:
    response = api.http.post(
        "/v1/digests", content=b"{" + b" " * (5 * 1024 * 1024) + b"}", headers=api.auth()
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "certificate", "digest": "sha256:" + "AB" * 32},
        {"kind": "certificate", "digest": "sha256:abc"},
        {"kind": "certificate", "digest": "md5:" + "ab" * 16},
        {"kind": "passport", "digest": DIGEST},
        {"kind": "certificate"},
        {"kind": "certificate", "items": []},
        {"kind": "certificate", "digest": DIGEST, "items": [{"digest": DIGEST}]},
        {"kind": "iot", "digest": DIGEST, "device": "sensor-1"},
        {"kind": "iot", "items": [{"digest": DIGEST, "seq": -1, "device": "d"}]},
        {"kind": "certificate", "digest": DIGEST, "colour": "red"},
    ],
)
def test_bad_submissions_are_precise_4xx(api: Api, body: dict[str, Any]) -> None:
    response = _submit(api, body)
    assert response.status_code in (400, 422), response.text
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["detail"]


def test_malformed_json_is_400_naming_the_position(api: Api) -> None:
    response = api.http.post(
        "/v1/digests",
        content=b'{"kind": "certificate",\n "digest": nope}',
        headers={**api.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    problem = response.json()
    assert (problem["line"], problem["column"], problem["position"]) == (2, 12, 35)
    assert "line 2, column 12" in problem["detail"]


def test_idempotency_key(api: Api) -> None:
    body = {"kind": "certificate", "items": [{"digest": DIGEST}, {"digest": _digest(1)}]}
    headers = {**api.auth(), "Idempotency-Key": "batch-0001"}
    first = api.http.post("/v1/digests", json=body, headers=headers)
    again = api.http.post("/v1/digests", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["receipts"] == again.json()["receipts"]
    other = {"kind": "certificate", "digest": _digest(2)}
    clash = api.http.post("/v1/digests", json=other, headers=headers)
    assert clash.status_code == 409


def test_lookup_by_digest_lists_every_receipt_and_status(api: Api) -> None:
    for _ in range(2):
        _submit(api, {"kind": "certificate", "digest": DIGEST}, wait=10)
    found = api.http.get(f"/v1/digests/{DIGEST}")
    assert found.status_code == 200
    receipts = found.json()["receipts"]
    assert len(receipts) == 2
    assert all(r["document_status"]["state"] == "valid" for r in receipts)
    assert api.http.get(f"/v1/digests/{_digest(99)}").status_code == 404
    assert api.http.get("/v1/digests/sha256:xyz").status_code == 422


def test_unknown_receipt(api: Api) -> None:
    assert api.http.get("/v1/receipts/" + "0" * 32).status_code == 404
    assert api.http.get("/v1/receipts/" + "f" * 32).status_code == 404  # index beyond BIGINT
    assert api.http.get("/v1/receipts/not-an-id").status_code == 422


def test_a_receipt_id_with_another_tag_is_unknown(api: Api) -> None:
    """Ids name a log position, but only with the leaf's random tag do they find it."""
    response = _submit(api, {"kind": "certificate", "digest": DIGEST})
    receipt_id = response.json()["receipts"][0]["id"]
    assert api.http.get(f"/v1/receipts/{receipt_id}").status_code == 200
    forged = receipt_id[:16] + format(int(receipt_id[16:], 16) ^ 1, "016x")
    assert api.http.get(f"/v1/receipts/{forged}").status_code == 404


def test_status_changes(api: Api) -> None:
    old = _submit(api, {"kind": "certificate", "digest": DIGEST}, wait=10).json()
    new = _submit(api, {"kind": "certificate", "digest": _digest(7)}, wait=10).json()
    old_id, new_id = old["receipts"][0]["id"], new["receipts"][0]["id"]

    def change(action: str, **extra: str) -> Any:
        body = {"receipt_id": old_id, "action": action, **extra}
        return api.http.post("/v1/status", json=body, headers=api.auth())

    assert change("reinstate").status_code == 409
    assert change("suspend").json()["document_status"]["state"] == "suspended"
    assert change("reinstate").json()["document_status"]["state"] == "valid"
    assert change("supersede").status_code == 400
    superseded = change("supersede", superseded_by=new_id).json()
    assert superseded["document_status"]["state"] == "superseded"
    assert change("suspend").status_code == 409
    assert change("supersede", superseded_by=new_id).status_code == 409
    lookup = api.http.get(f"/v1/digests/{DIGEST}").json()
    assert lookup["receipts"][0]["document_status"]["state"] == "superseded"
    # as the StatusRegistry: a superseded document can still be revoked, then it is final
    assert change("revoke").json()["document_status"]["state"] == "revoked"
    assert change("revoke").status_code == 409
    assert change("reinstate").status_code == 409
    lookup = api.http.get(f"/v1/digests/{DIGEST}").json()
    assert lookup["receipts"][0]["document_status"]["state"] == "revoked"
    view = api.http.get(f"/v1/receipts/{old_id}").json()
    verdict = api.http.post("/v1/verify", json={"receipt": view["receipt"]}).json()
    assert not verdict["ok"]
    assert verdict["steps"][3]["status"] == "failed"


def test_verify_rejects_bad_receipts(api: Api) -> None:
    view = _submit(api, {"kind": "certificate", "digest": DIGEST}, wait=10).json()
    receipt = api.http.get(view["receipts"][0]["url"]).json()["receipt"]
    unknown = {**receipt, "version": "9.0"}
    assert api.http.post("/v1/verify", json={"receipt": unknown}).status_code == 422
    broken = {**receipt, "proof": {"index": "x"}}
    assert api.http.post("/v1/verify", json={"receipt": broken}).status_code == 400
    tampered = {**receipt, "leaf": {**receipt["leaf"], "digest": _digest(5)}}
    verdict = api.http.post("/v1/verify", json={"receipt": tampered}).json()
    assert not verdict["ok"]
    assert verdict["steps"][1]["status"] == "failed"
    wrong_document = api.http.post(
        "/v1/verify", json={"receipt": receipt, "document_digest": _digest(6)}
    ).json()
    assert wrong_document["steps"][0]["status"] == "failed"


def test_checkpoints_and_consistency(api: Api) -> None:
    _submit(
        api, {"kind": "certificate", "items": [{"digest": _digest(n)} for n in range(5)]}, wait=10
    )
    _submit(
        api, {"kind": "certificate", "items": [{"digest": _digest(n)} for n in range(9)]}, wait=10
    )
    checkpoints = api.http.get(f"/v1/issuers/{ISSUER}/checkpoints").json()
    assert [c["size"] for c in checkpoints] == [14, 5]
    latest = api.http.get(f"/v1/issuers/{ISSUER}/checkpoints/latest").json()
    assert latest["size"] == 14
    proof = api.http.get(f"/v1/issuers/{ISSUER}/consistency", params={"from": 5, "to": 14})
    assert proof.status_code == 200
    from govchain_core.merkle import verify_consistency

    body = proof.json()
    assert body["from_root"] == checkpoints[1]["root"]
    verify_consistency(
        5,
        14,
        bytes.fromhex(body["from_root"]),
        bytes.fromhex(body["to_root"]),
        [bytes.fromhex(h) for h in body["proof"]],
    )
    assert (
        api.http.get(f"/v1/issuers/{ISSUER}/consistency", params={"from": 9, "to": 5}).status_code
        == 400
    )
    assert (
        api.http.get(f"/v1/issuers/{ISSUER}/consistency", params={"from": 1, "to": 99}).status_code
        == 404
    )
    assert api.http.get("/v1/issuers/0x" + "99" * 20 + "/checkpoints").status_code == 404
    issuers = api.http.get("/v1/issuers").json()
    assert {i["address"] for i in issuers} >= {ISSUER}


def test_operations_endpoints(api: Api) -> None:
    assert api.http.get("/healthz").json() == {"status": "ok"}
    assert api.http.get("/readyz").json()["ready"] is True
    _submit(api, {"kind": "certificate", "digest": DIGEST})
    metrics = api.http.get("/metrics").text
    assert "govchain_notary_digests_accepted_total 1.0" in metrics
    assert api.http.get("/").status_code == 200
    assert api.http.get("/openapi.json").json()["info"]["title"] == "govchain notary"
    assert api.http.get("/no/such/route").headers["content-type"] == "application/problem+json"


def test_cors_for_the_web_verifier(api: Api) -> None:
    response = api.http.options(
        f"/v1/digests/{DIGEST}",
        headers={"Origin": "https://verify.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://verify.example")


def test_backpressure_is_503_with_retry_after(sqlite_url: str, tmp_path: Path) -> None:
    clock = ManualClock()  # never advanced: the worker anchors nothing after its first round
    for api in make_api(sqlite_url, tmp_path, clock, backlog_limit=10):
        clock.wait_for_sleep("notary-anchoring", 1)
        items = [{"digest": _digest(n)} for n in range(8)]
        assert _submit(api, {"kind": "certificate", "items": items}).status_code == 202
        refused = _submit(api, {"kind": "certificate", "items": items})
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["type"].endswith("/backlog")


def test_public_reads_are_rate_limited(sqlite_url: str, tmp_path: Path) -> None:
    for api in make_api(sqlite_url, tmp_path, public_read_rate=0.01, public_read_burst=3):
        codes = [api.http.get(f"/v1/digests/{DIGEST}").status_code for _ in range(5)]
        assert codes[:3] == [404, 404, 404]
        assert codes[-1] == 429


def test_static_dir_is_served(sqlite_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>verifier</p>")
    for api in make_api(sqlite_url, tmp_path, static_dir=site):
        assert api.http.get("/").text == "<p>verifier</p>"
