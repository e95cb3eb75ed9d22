"""``POST /v1/verify`` answers one of three verdicts, with a 200 for every completed check.

The in-memory chain stands in for the node in the first three; the last runs the web3
adapter against a closed port.  The real node and every forgery are in
``tests/integration/client/test_forged_corpus_stack.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.errors import ChainAccessError
from tests.conftest import load_vectors
from tests.integration.notary.conftest import Api, make_api
from tests.support.ports import free_port

DIGEST = "sha256:" + "5c" * 32


@pytest.fixture
def api(sqlite_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(sqlite_url, tmp_path)


def _anchored(api: Api) -> dict[str, Any]:
    body = {"kind": "certificate", "digest": DIGEST}
    response = api.http.post("/v1/digests", json=body, headers=api.auth(), params={"wait": 10})
    receipt_id = response.json()["receipts"][0]["id"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        view: dict[str, Any] = api.http.get(f"/v1/receipts/{receipt_id}").json()
        if view["status"] == "anchored":
            return dict(view["receipt"])
        time.sleep(0.02)
    raise AssertionError("not anchored")


def test_a_genuine_receipt_is_valid(api: Api) -> None:
    receipt = _anchored(api)
    answer = api.http.post("/v1/verify", json={"receipt": receipt, "document_digest": DIGEST})
    assert answer.status_code == 200
    assert (answer.json()["verdict"], answer.json()["ok"]) == ("valid", True)


def test_another_transaction_is_not_valid_and_names_the_field(api: Api) -> None:
    receipt = _anchored(api)
    forged = {**receipt, "anchor": {**receipt["anchor"], "tx_hash": "0x" + "77" * 32}}
    answer = api.http.post("/v1/verify", json={"receipt": forged})
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "not_valid"
    assert body["steps"][2]["details"]["field"] == "/anchor/tx_hash"
    assert body["steps"][2]["message"] == "no such transaction"


def test_an_unreadable_chain_could_not_be_checked_with_a_200(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = _anchored(api)
    chain = api.service.anchorer
    assert isinstance(chain, MemoryAnchorer)

    def down(*_: object) -> None:
        raise ChainAccessError("node unreachable")

    monkeypatch.setattr(chain, "block_hash", down)
    answer = api.http.post("/v1/verify", json={"receipt": receipt})
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "could_not_check"
    anchor = body["steps"][2]
    assert anchor["status"] == "error"
    assert anchor["details"]["url"] == api.service.settings.rpc_url
    assert "node unreachable" in anchor["details"]["error"]


def test_a_notary_whose_node_port_is_closed_could_not_check(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The real web3 adapter, a real refused connection, through HTTP: a 200 with the
    verdict, the URL and the error, not a 502."""
    genuine = load_vectors("receipts.json")["valid"][0]["receipt"]
    closed = f"http://127.0.0.1:{free_port()}"
    registries = {
        "anchor_registry": genuine["anchor"]["registry"],
        "status_registry": "0x" + "5a" * 20,
        "issuer_registry": "0x" + "6b" * 20,
    }
    for api in make_api(sqlite_url, tmp_path, chain="web3", rpc_url=closed, **registries):
        answer = api.http.post("/v1/verify", json={"receipt": genuine})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["verdict"] == "could_not_check"
        assert body["steps"][2]["details"]["url"] == closed
        assert "refused" in body["steps"][2]["details"]["error"]


@pytest.mark.parametrize("behind", [True, False])
def test_a_node_behind_the_receipts_block_could_not_check(
    api: Api, monkeypatch: pytest.MonkeyPatch, behind: bool
) -> None:
    """The node lacks the checkpoint: below the receipt's block that is no proof of a false
    receipt (could_not_check, naming both numbers); at or past it, it is (not_valid)."""
    receipt = _anchored(api)
    chain = api.service.anchorer
    assert isinstance(chain, MemoryAnchorer)
    block = receipt["anchor"]["block_number"]
    head = block - 1 if behind else block
    monkeypatch.setattr(chain, "checkpoint", lambda *_: None)
    monkeypatch.setattr(chain, "head", lambda: head)
    answer = api.http.post("/v1/verify", json={"receipt": receipt})
    assert answer.status_code == 200
    body = answer.json()
    anchor = body["steps"][2]
    if behind:
        assert body["verdict"] == "could_not_check"
        assert anchor["status"] == "error"
        assert anchor["message"] == f"the node is not synced to block {block} (its head is {head})"
    else:
        assert body["verdict"] == "not_valid"
        assert anchor["details"]["field"] == "/proof/tree_size"
