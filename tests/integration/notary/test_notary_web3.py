"""The notary against a real in-process govchain dev node, through web3.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3 import Web3

from govchain_contracts import Role, load
from govchain_contracts.deploy import ContractSender, web3_for
from govchain_core.tiles import tile_consistency_proof, tile_root
from govchain_core.verify import DocumentState
from govchain_node.dev import DevNodeHandle, start_dev_node
from govchain_notary.anchorers.web3 import Web3Chain
from govchain_notary.anchoring import AnchoringWorker
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.errors import ChainAccessError, TransactionRevertedError
from govchain_notary.settings import Settings
from govchain_notary.storage.repos import ANCHORED, PREPARED, CheckpointRecord
from tests.support.clocks import ManualClock
from tests.support.notary_chain import web3_notary_settings


@dataclass
class Chain:
    node: DevNodeHandle
    settings: Settings


@pytest.fixture
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    """A fresh node per test: an issuer's log and its anchors belong together."""
    root = tmp_path_factory.mktemp("web3")
    node = start_dev_node(root / "node", port=0, block_period=0.0)
    try:
        settings = web3_notary_settings(node, root, block_period=0.1)
        yield Chain(node, settings)
    finally:
        node.stop()


def test_notarise_verify_and_revoke_on_a_real_node(chain: Chain, tmp_path: Path) -> None:
    settings = chain.settings.model_copy(update={"data_dir": tmp_path})
    app = create_app(settings)
    with TestClient(app) as http:
        service = app.state.service
        _, key = new_client(
            service.store, "amt", service.issuers[0], ["submit:*", "status:*"], 1000
        )
        headers = {"Authorization": f"Bearer {key}"}
        digest = "sha256:" + "42" * 32
        submitted = http.post(
            "/v1/digests",
            json={"kind": "certificate", "digest": digest},
            headers=headers,
            params={"wait": 30},
        )
        assert submitted.status_code == 200, submitted.text
        receipt_id = submitted.json()["receipts"][0]["id"]
        view = http.get(f"/v1/receipts/{receipt_id}").json()
        assert view["receipt"]["anchor"]["registry"] == settings.anchor_registry
        verdict = http.post(
            "/v1/verify", json={"receipt": view["receipt"], "document_digest": digest}
        ).json()
        assert verdict["ok"], verdict
        revoked = http.post(
            "/v1/status", json={"receipt_id": receipt_id, "action": "revoke"}, headers=headers
        )
        assert revoked.status_code == 200, revoked.text
        verdict = http.post("/v1/verify", json={"receipt": view["receipt"]}).json()
        assert verdict["steps"][3]["status"] == "failed"
        issuers = http.get("/v1/issuers").json()
        assert issuers[0]["address"] == service.issuers[0]


def test_a_superseded_document_can_be_revoked_on_the_real_registry(
    chain: Chain, tmp_path: Path
) -> None:
    """The notary's own transition check lets through what the StatusRegistry allows."""
    app = create_app(chain.settings.model_copy(update={"data_dir": tmp_path}))
    with TestClient(app) as http:
        service = app.state.service
        _, key = new_client(
            service.store, "amt", service.issuers[0], ["submit:*", "status:*"], 1000
        )
        headers = {"Authorization": f"Bearer {key}"}
        ids = []
        for digest in ("sha256:" + "51" * 32, "sha256:" + "52" * 32):
            body = {"kind": "certificate", "digest": digest}
            submitted = http.post("/v1/digests", json=body, headers=headers, params={"wait": 30})
            assert submitted.status_code == 200, submitted.text
            ids.append(submitted.json()["receipts"][0]["id"])

        def change(action: str, **extra: str) -> Any:
            body = {"receipt_id": ids[0], "action": action, **extra}
            return http.post("/v1/status", json=body, headers=headers)

        superseded = change("supersede", superseded_by=ids[1])
        assert superseded.json()["document_status"]["state"] == "superseded", superseded.text
        assert change("reinstate").status_code == 409
        revoked = change("revoke")
        assert revoked.json()["document_status"]["state"] == "revoked", revoked.text
        assert change("revoke").status_code == 409


def test_recovery_finds_an_anchor_that_landed_unrecorded(chain: Chain, tmp_path: Path) -> None:
    clock = ManualClock()  # never advanced: the app's worker anchors nothing after its first round
    app = create_app(chain.settings.model_copy(update={"data_dir": tmp_path}), clock=clock)
    with TestClient(app) as http:
        clock.wait_for_sleep("notary-anchoring", 1)
        service = app.state.service
        _, key = new_client(service.store, "amt", service.issuers[0], ["submit:*"], 1000)
        items = [{"digest": f"sha256:{n:064x}"} for n in range(5)]
        http.post(
            "/v1/digests",
            json={"kind": "dataset", "items": items},
            headers={"Authorization": f"Bearer {key}"},
        )
        store, issuer = service.store, service.issuers[0]
        web3_chain: Web3Chain = service.anchorer
        before = web3_chain.latest(issuer)
        prev = before.size if before else 0
        size = store.log_size(issuer)
        tiles = store.tile_reader(issuer, size)
        root = tile_root(tiles, size)
        # what the worker does just before it dies: prepared, sent, never recorded
        store.prepare_checkpoint(CheckpointRecord(issuer, size, root, prev, PREPARED, 0))
        proof = tile_consistency_proof(tiles, prev, size) if prev else []
        facts = web3_chain.anchor(issuer, size, root, prev, proof)
        worker = AnchoringWorker(
            store, web3_chain, [issuer], 3600, 10**9, lambda i, s: None, clock=clock
        )
        worker.reconcile(issuer)
        recorded = store.latest_anchored(issuer)
        assert recorded is not None
        assert (recorded.size, recorded.state, recorded.anchor) == (size, ANCHORED, facts)
        assert worker.anchor_once(issuer) is None  # nothing is anchored twice


def test_supersession_of_itself_or_in_a_cycle_is_refused_before_any_transaction(
    chain: Chain, tmp_path: Path
) -> None:
    app = create_app(chain.settings.model_copy(update={"data_dir": tmp_path}))
    with TestClient(app) as http:
        service = app.state.service
        _, key = new_client(
            service.store, "amt", service.issuers[0], ["submit:*", "status:*"], 1000
        )
        headers = {"Authorization": f"Bearer {key}"}
        items = [{"digest": f"sha256:{n + 0x60:064x}"} for n in range(3)]
        submitted = http.post(
            "/v1/digests",
            json={"kind": "certificate", "items": items},
            headers=headers,
            params={"wait": 30},
        )
        assert submitted.status_code == 200, submitted.text
        a, b, c = (r["id"] for r in submitted.json()["receipts"])
        web3_chain: Web3Chain = service.anchorer

        def supersede(old: str, new: str) -> Any:
            body = {"receipt_id": old, "action": "supersede", "superseded_by": new}
            return http.post("/v1/status", json=body, headers=headers)

        head = web3_chain.head()
        itself = supersede(a, a)
        assert itself.status_code == 422, itself.text
        assert "itself" in itself.json()["detail"]
        assert web3_chain.head() == head  # no transaction was sent

        def refused_as_cycle(old: str, new: str) -> None:
            head = web3_chain.head()
            cycle = supersede(old, new)
            assert cycle.status_code == 409, cycle.text
            assert "superseded itself" in cycle.json()["detail"]
            assert web3_chain.head() == head

        assert supersede(a, b).status_code == 200
        refused_as_cycle(b, a)  # A by B, then B by A
        assert supersede(b, c).status_code == 200
        refused_as_cycle(c, a)  # A -> B -> C, then C by A


def test_a_reverted_transaction_is_logged_with_the_contract_s_reason(chain: Chain) -> None:
    """The replay that names the revert reason runs as the sender (it used to run
    without ``from`` and named another error than the one that reverted)."""
    web3_chain = Web3Chain.from_settings(chain.settings)
    issuer = chain.settings.issuer_addresses[0]
    leaf = b"\x42" * 32
    with pytest.raises(ChainAccessError, match="InvalidSupersedingLeaf"):
        web3_chain.set_status(issuer, leaf, DocumentState.SUPERSEDED, leaf)
    web3_chain.anchor(issuer, 1, b"\x01" * 32, 0, [])
    with pytest.raises(TransactionRevertedError) as reverted:  # a resend after a crash
        web3_chain.anchor(issuer, 2, b"\x02" * 32, 0, [])
    assert (reverted.value.reason or "").startswith("('PrevSizeMismatch'")
    older, newer = b"\x43" * 32, b"\x44" * 32
    web3_chain.set_status(issuer, newer, DocumentState.REVOKED, None)
    with pytest.raises(ChainAccessError, match="SuccessorNotCurrent"):
        web3_chain.set_status(issuer, older, DocumentState.SUPERSEDED, newer)


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.05)


def test_a_kind_whose_role_the_members_removed_is_refused(chain: Chain, tmp_path: Path) -> None:
    """Roles come from the IssuerRegistry, followed through its events: a member vote
    that takes a role away refuses the next submission of that kind (422), before
    anything is written; removing the issuer refuses every kind."""
    app = create_app(chain.settings.model_copy(update={"data_dir": tmp_path}))
    with TestClient(app) as http:
        service = app.state.service
        issuer = service.issuers[0]
        _, key = new_client(service.store, "amt", issuer, ["submit:*"], 1000)

        def submit(kind: str, n: int) -> Any:
            # waits until anchored, so that the notary sends nothing while the member
            # (the same dev account) votes: their nonces would collide
            body = {"kind": kind, "digest": f"sha256:{n + 0x70:064x}"}
            headers = {"Authorization": f"Bearer {key}"}
            return http.post("/v1/digests", json=body, headers=headers, params={"wait": 30})

        def vote(call: Callable[[Any, str], Any]) -> None:
            member = ContractSender(
                web3_for(chain.node.rpc_url), Account.from_key(_member_key(chain))
            )
            registry = member.web3.eth.contract(
                address=Web3.to_checksum_address(chain.settings.issuer_registry),
                abi=list(load("IssuerRegistry").abi),
            )
            # the sole member's proposal is its own majority: executed in the same transaction
            receipt = member.send(call(registry.functions, Web3.to_checksum_address(issuer)))
            block = receipt["blockNumber"]
            _wait_for(lambda: service.roles.block >= block, "the vote is followed")

        _wait_for(lambda: service.roles.loaded, "the roles are read")
        assert submit("certificate", 0).status_code == 200
        vote(lambda registry, address: registry.proposeChangeRoles(address, int(Role.REGISTER)))
        size = service.store.log_size(issuer)
        refused = submit("certificate", 1)
        assert refused.status_code == 422, refused.text
        assert "no role for documents of kind 'certificate'" in refused.json()["detail"]
        assert refused.json()["reason"] == "issuer-role"
        assert service.store.log_size(issuer) == size  # nothing was written
        assert submit("register", 2).status_code == 200
        vote(lambda registry, address: registry.proposeRemoveIssuer(address))
        gone = submit("register", 3)
        assert gone.status_code == 422, gone.text
        assert "not active" in gone.json()["detail"]


def _member_key(chain: Chain) -> bytes:
    """``web3_notary_settings`` made the node's first dev account member and issuer."""
    key: bytes = chain.node.dev_accounts[0].private_key
    return key
