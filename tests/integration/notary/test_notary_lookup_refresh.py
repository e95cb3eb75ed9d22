"""The lookup cache's early refresh and invalidation, seen through the notary with an
injected clock: a claimed refresh is never lost, and a status change made through
this notary is never hidden by a refresh that read the index just before it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govchain_core.verify import DocumentState
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.lookup_answer import LookupEntry
from govchain_notary.storage.statuses import END_OF_BLOCK
from tests.integration.notary.conftest import ISSUER, Api, make_api
from tests.integration.notary.test_notary_status_lookups import (
    DIGEST,
    _leaf_hash,
    _notarise,
    _state,
)
from tests.support.clocks import ManualClock
from tests.unit.notary.test_notary_lookup_cache import Clock

TTL = 10.0


@pytest.fixture
def clocked_api(database_url: str, tmp_path: Path) -> Iterator[tuple[Api, Clock]]:
    """The notary's clock never moves, so the follower polls only at start (it never
    clears the cache); the cache's clock is ours."""
    for api in make_api(
        database_url, tmp_path, ManualClock(), anchor_threshold=1, lookup_cache_ttl=TTL
    ):
        clock = Clock()
        api.service.lookups.clock = clock
        yield api, clock


def _revoke_behind_the_cache(api: Api, receipt_id: str) -> None:
    """What another notary replica on the same database does: the index changes, this
    notary's cache is not told."""
    chain: MemoryAnchorer = api.service.anchorer  # type: ignore[assignment]
    leaf = _leaf_hash(api.service, receipt_id)
    facts = chain.set_status(ISSUER, leaf, DocumentState.REVOKED, None)
    status = chain.status(ISSUER, leaf)
    change = StatusChange(ISSUER, leaf, status, facts.block_number, END_OF_BLOCK)
    api.service.statuses.apply([change], {})


def test_lookup_cache_early_refresh_claim_is_never_lost(
    clocked_api: tuple[Api, Clock],
) -> None:
    api, clock = clocked_api
    receipt_id = _notarise(api)["id"]
    assert _state(api.http) == "valid"  # and now cached
    _revoke_behind_the_cache(api, receipt_id)
    clock.now += TTL * 0.6  # second half of the entry's life: the next read claims the refresh
    api.service.lookup_json(DIGEST)
    clock.now += TTL * 0.5  # past the entry's ttl
    assert _state(api.http) == "revoked"


def test_a_status_change_through_the_notary_beats_a_refresh_in_flight(
    clocked_api: tuple[Api, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, _ = clocked_api
    receipt_id = _notarise(api)["id"]
    assert _state(api.http) == "valid"
    read = api.service.lookup

    def read_then_suspend(digest: str) -> tuple[list[LookupEntry], dict[str, Any] | None]:
        answer = read(digest)  # the refresh read the index before the change
        body = {"receipt_id": receipt_id, "action": "suspend"}
        changed = api.http.post("/v1/status", json=body, headers=api.auth())
        assert changed.status_code == 200, changed.text
        return answer

    monkeypatch.setattr(api.service, "lookup", read_then_suspend)
    api.service.refresh_lookup(DIGEST)
    monkeypatch.undo()
    assert _state(api.http) == "suspended"
