"""The status index against a real node process, through web3.py: status changes
through the API and directly on chain reach lookups, a restarted notary resumes at
its checkpoint, and lookups keep answering after the node is killed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from govchain_core.verify import DocumentState
from govchain_node.keys import load_dev_accounts
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.anchorers.web3 import Web3Chain
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.devchain import deploy_dev_registries, write_keystore
from govchain_notary.service import NotaryService
from govchain_notary.settings import IssuerSettings, Settings, load_settings
from tests.support.node_process import NodeProcess, start_node_process
from tests.support.waiting import wait_until

PASSWORD = "dev-password"
FIRST = "sha256:" + "a1" * 32
SECOND = "sha256:" + "b2" * 32


class RecordingChain(Web3Chain):
    """The notary's web3 adapter, remembering the block ranges the follower read."""

    ranges: list[tuple[int, int]]

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        self.ranges.append((first, last))
        return super().status_changes(issuers, first, last)


def _recording(settings: Settings) -> RecordingChain:
    chain = RecordingChain.from_settings(settings)
    assert isinstance(chain, RecordingChain)
    chain.ranges = []
    return chain


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeProcess]:
    process = start_node_process(tmp_path / "node", "--block-period", "0.2")
    try:
        yield process
    finally:
        process.terminate()


def _setup(node: NodeProcess, root: Path) -> tuple[Settings, Web3Chain]:
    """Notary settings on the node's registries, and the issuer's own chain client
    that changes statuses without the notary."""
    key = load_dev_accounts(root / "node")[0].private_key
    issuer = write_keystore(root / "issuer.json", key, PASSWORD)
    registries = deploy_dev_registries(node.rpc_url, key, issuer)
    settings = load_settings(
        chain="web3",
        rpc_url=node.rpc_url,
        anchor_registry=registries.anchor,
        status_registry=registries.status,
        issuer_registry=registries.issuer,
        issuers=[IssuerSettings(address=issuer, keystore=root / "issuer.json")],
        keystore_password=PASSWORD,
        data_dir=root / "notary",
        block_period=0.2,
        chain_timeout=5,
        lookup_cache_ttl=0,  # every lookup reads the database
        public_read_rate=10_000,
        public_read_burst=10_000,
    )
    direct = Web3Chain(
        node.rpc_url,
        registries.anchor,
        registries.status,
        registries.issuer,
        [Account.from_key(key)],
    )
    return settings, direct


def _state(http: TestClient, digest: str) -> str:
    answer = http.get(f"/v1/digests/{digest}")
    assert answer.status_code == 200, answer.text
    state: str = answer.json()["receipts"][0]["document_status"]["state"]
    return state


def _notarise(http: TestClient, key: str, digest: str) -> str:
    answer = http.post(
        "/v1/digests",
        json={"kind": "certificate", "digest": digest},
        headers={"Authorization": f"Bearer {key}"},
        params={"wait": 60},
    )
    assert answer.status_code == 200, answer.text
    receipt_id: str = answer.json()["receipts"][0]["id"]
    return receipt_id


def _leaf(service: NotaryService, receipt_id: str) -> bytes:
    submission = service.store.submission(receipt_id)
    assert submission is not None
    return submission.leaf_hash


def test_statuses_follow_the_chain_across_restarts_and_outages(
    node: NodeProcess, tmp_path: Path
) -> None:
    settings, direct = _setup(node, tmp_path)
    issuer = settings.issuer_addresses[0]
    app = create_app(settings)
    with TestClient(app) as http:
        service: NotaryService = app.state.service
        _, key = new_client(service.store, "amt", issuer, ["submit:*", "status:*"], 10_000)
        first, second = _notarise(http, key, FIRST), _notarise(http, key, SECOND)
        leaves = {FIRST: _leaf(service, first), SECOND: _leaf(service, second)}
        body: dict[str, Any] = {"receipt_id": first, "action": "suspend"}
        changed = http.post("/v1/status", json=body, headers={"Authorization": f"Bearer {key}"})
        assert changed.status_code == 200, changed.text
        assert _state(http, FIRST) == "suspended"  # at once, from the notary's own write
        direct.set_status(issuer, leaves[SECOND], DocumentState.REVOKED, None)
        wait_until("the follower", lambda: _state(http, SECOND) == "revoked", 60)
    checkpoint = service.statuses.syncs()[issuer].block_number
    facts = direct.set_status(issuer, leaves[FIRST], DocumentState.VALID, None)  # notary down
    assert facts.block_number > checkpoint
    chain = _recording(settings)
    app = create_app(settings, anchorer=chain)
    with TestClient(app) as http:
        service = app.state.service
        wait_until("the follower", lambda: _state(http, FIRST) == "valid", 60)
        assert chain.ranges[0][0] == checkpoint + 1
        node.kill()
        wait_until(
            "the follower to notice the outage", lambda: service.follower.last_error is not None, 60
        )
        assert (_state(http, FIRST), _state(http, SECOND)) == ("valid", "revoked")
