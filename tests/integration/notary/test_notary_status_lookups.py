"""Lookups answer document statuses from the status index, over SQLite and PostgreSQL
with the in-memory chain: changes through the API show at once, changes made on
chain by someone else once the follower ran, across restarts and node outages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govchain_core.verify import DocumentState
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.service import NotaryService
from govchain_notary.settings import IssuerSettings, Settings, load_settings
from tests.integration.notary.conftest import ISSUER, Api, make_api
from tests.support.clocks import ManualClock
from tests.support.waiting import wait_until

DIGEST = "sha256:" + "5c" * 32
FOLLOWER = "notary-statuses"  # the status follower thread's name


def _notarise(api: Api, digest: str = DIGEST) -> dict[str, Any]:
    body = {"kind": "certificate", "digest": digest}
    answer = api.http.post("/v1/digests", json=body, headers=api.auth(), params={"wait": 30})
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()["receipts"][0]
    return receipt


def _lookup(http: TestClient, digest: str = DIGEST) -> dict[str, Any]:
    answer = http.get(f"/v1/digests/{digest}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _state(http: TestClient, digest: str = DIGEST) -> str:
    state: str = _lookup(http, digest)["receipts"][0]["document_status"]["state"]
    return state


def _leaf_hash(service: NotaryService, receipt_id: str) -> bytes:
    submission = service.store.submission(receipt_id)
    assert submission is not None
    return submission.leaf_hash


@pytest.fixture
def quiet_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The follower's clock never moves: after its first poll only the API's own write
    can update the index (the anchoring worker wakes on each commit)."""
    yield from make_api(database_url, tmp_path, ManualClock(), anchor_threshold=1)


@pytest.fixture
def long_cached_api(database_url: str, tmp_path: Path) -> Iterator[tuple[Api, ManualClock]]:
    """Cached lookups live an hour: only the follower's clearing can show a change.  The
    follower polls when the test advances the clock by a block period."""
    clock = ManualClock()
    for api in make_api(
        database_url, tmp_path, clock, block_period=60, anchor_threshold=1, lookup_cache_ttl=3600
    ):
        yield api, clock


@pytest.fixture
def uncached_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """Every lookup reads the database."""
    yield from make_api(database_url, tmp_path, lookup_cache_ttl=0)


def test_a_status_change_through_the_api_shows_in_lookups_at_once(quiet_api: Api) -> None:
    receipt_id = _notarise(quiet_api)["id"]
    assert _state(quiet_api.http) == "valid"  # and now cached
    body = {"receipt_id": receipt_id, "action": "suspend"}
    changed = quiet_api.http.post("/v1/status", json=body, headers=quiet_api.auth())
    assert changed.status_code == 200, changed.text
    assert _state(quiet_api.http) == "suspended"
    leaf = _leaf_hash(quiet_api.service, receipt_id)
    indexed = quiet_api.service.statuses.statuses([(ISSUER, leaf)])
    assert indexed[(ISSUER, leaf)].state is DocumentState.SUSPENDED


def test_a_change_made_on_chain_shows_once_the_follower_ran(
    long_cached_api: tuple[Api, ManualClock],
) -> None:
    api, clock = long_cached_api
    receipt_id = _notarise(api)["id"]
    clock.wait_for_sleep(FOLLOWER, 1)  # the first poll is done
    assert _state(api.http) == "valid"  # and now cached
    chain: MemoryAnchorer = api.service.anchorer  # type: ignore[assignment]
    leaf = _leaf_hash(api.service, receipt_id)
    polls = clock.sleeps(FOLLOWER)
    facts = chain.set_status(ISSUER, leaf, DocumentState.REVOKED, None)  # not the notary
    clock.advance(59)  # within the period: the follower has not polled
    assert _state(api.http) == "valid"
    clock.advance(1)
    clock.wait_for_sleep(FOLLOWER, polls + 1)
    assert _state(api.http) == "revoked"
    as_of = _lookup(api.http)["status_as_of"]
    assert as_of["block_number"] >= facts.block_number
    assert as_of["synced_at"] == int(clock.now())  # when the poll read the head


def test_lookups_answer_from_the_database_while_the_node_is_down(uncached_api: Api) -> None:
    api = uncached_api
    receipt_id = _notarise(api)["id"]
    chain: MemoryAnchorer = api.service.anchorer  # type: ignore[assignment]
    chain.set_status(ISSUER, _leaf_hash(api.service, receipt_id), DocumentState.SUSPENDED, None)
    wait_until("the follower", lambda: _state(api.http) == "suspended", 30)
    chain.fail_next = 10**9  # every chain call fails from now on
    wait_until(
        "the follower to notice the outage", lambda: api.service.follower.last_error is not None, 30
    )
    assert _state(api.http) == "suspended"
    assert _lookup(api.http)["status_as_of"]["block_number"] >= 0


class RecordingChain(MemoryAnchorer):
    """The file-backed dev chain, remembering the block ranges the follower read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path=path, issuers=[ISSUER])
        self.ranges: list[tuple[int, int]] = []

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        self.ranges.append((first, last))
        return super().status_changes(issuers, first, last)


def _settings(database_url: str, data_dir: Path) -> Settings:
    return load_settings(
        data_dir=data_dir,
        database_url=database_url,
        chain="file",
        block_period=0.05,
        issuers=[IssuerSettings(address=ISSUER)],
        public_read_rate=10_000,
        public_read_burst=10_000,
    )


def test_a_restarted_follower_resumes_at_its_checkpoint(database_url: str, tmp_path: Path) -> None:
    settings = _settings(database_url, tmp_path)
    chain_file = settings.effective_chain_file
    app = create_app(settings, anchorer=RecordingChain(chain_file))
    with TestClient(app) as http:
        service: NotaryService = app.state.service
        _, key = new_client(service.store, "amt", ISSUER, ["submit:*"], 10_000)
        body = {"kind": "certificate", "digest": DIGEST}
        headers = {"Authorization": f"Bearer {key}"}
        answer = http.post("/v1/digests", json=body, headers=headers, params={"wait": 30})
        receipt_id = answer.json()["receipts"][0]["id"]
        leaf = _leaf_hash(service, receipt_id)
        head = service.anchorer.head()
        wait_until(
            "the follower", lambda: service.statuses.syncs()[ISSUER].block_number >= head, 30
        )
    checkpoint = service.statuses.syncs()[ISSUER].block_number
    MemoryAnchorer(path=chain_file).set_status(ISSUER, leaf, DocumentState.REVOKED, None)
    restarted = RecordingChain(chain_file)
    app = create_app(settings, anchorer=restarted)
    with TestClient(app) as http:
        wait_until("the follower", lambda: _state(http) == "revoked", 30)
        assert restarted.ranges[0][0] == checkpoint + 1
