"""A reader-role notary on the database a writer-role notary fills, over SQLite and
PostgreSQL: it answers the public reads as the writer does, refuses writes with the
``read-replica`` problem, takes no writer lock and runs no writer or anchoring
thread, and sees a status changed through the writer once its watcher polled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from govchain_notary.app import create_app
from govchain_notary.service import NotaryService
from govchain_notary.settings import load_settings
from tests.integration.notary.conftest import ISSUER, Api, make_api

DIGEST = "sha256:" + "d4" * 32
PENDING = "sha256:" + "e5" * 32

Pair = tuple[Api, TestClient]


@pytest.fixture
def pair(database_url: str, tmp_path: Path) -> Iterator[Pair]:
    for writer in make_api(database_url, tmp_path):
        settings = writer.service.settings.model_copy(update={"role": "reader"})
        reader_app = create_app(load_settings(**settings.model_dump()))
        with TestClient(reader_app) as reader:
            yield writer, reader


def _reader_service(reader: TestClient) -> NotaryService:
    service: NotaryService = reader.app.state.service  # type: ignore[attr-defined]
    return service


def _notarise(api: Api, digest: str, wait: float) -> str:
    body = {"kind": "certificate", "digest": digest}
    answer = api.http.post("/v1/digests", json=body, headers=api.auth(), params={"wait": wait})
    assert answer.status_code == (200 if wait else 202), answer.text
    receipt_id: str = answer.json()["receipts"][0]["id"]
    return receipt_id


def test_reader_answers_the_public_reads_as_the_writer(pair: Pair) -> None:
    writer, reader = pair
    receipt_id = _notarise(writer, DIGEST, wait=30)
    writer.service.worker.stop()  # keep the second one pending while comparing
    _notarise(writer, PENDING, wait=0)
    writer.service.follower.stop()  # the status_as_of both report stays put
    _reader_service(reader).follower.sync_once()
    for path in (
        f"/v1/digests/{DIGEST}",
        f"/v1/digests/{PENDING}",
        f"/v1/digests/sha256:{'00' * 32}",
        f"/v1/receipts/{receipt_id}",
        f"/v1/issuers/{ISSUER}/checkpoints",
        f"/v1/issuers/{ISSUER}/checkpoints/latest",
        f"/v1/issuers/{ISSUER}/consistency?from=1&to=1",
    ):
        mine, theirs = reader.get(path), writer.http.get(path)
        assert mine.status_code == theirs.status_code, path
        assert _as_stored(mine.json()) == _as_stored(theirs.json()), path


def _as_stored(answer: Any) -> Any:
    """The answer without ``status_as_of.synced_at``: the writer's follower refreshes it
    in memory on every poll, but stores it only with a new block (a reader reports the
    stored one, never a fresher one)."""
    as_of = answer.get("status_as_of") if isinstance(answer, dict) else None
    if isinstance(as_of, dict):
        return {**answer, "status_as_of": {**as_of, "synced_at": None}}
    return answer


def test_reader_refuses_writes_with_the_read_replica_problem(pair: Pair) -> None:
    writer, reader = pair
    body = {"kind": "certificate", "digest": DIGEST}
    headers = {**writer.auth(), "Origin": "https://verifier.example"}
    answer = reader.post("/v1/digests", json=body, headers=headers)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "retry-after" not in answer.headers
    problem = answer.json()
    assert problem["type"].endswith("/read-replica")
    assert problem["instance"] == "/v1/digests"
    status = reader.post("/v1/status", json={}, headers=writer.auth())
    assert status.status_code == 503
    assert writer.service.store.receipts_by_digest(DIGEST, 10) == []


def test_reader_takes_no_lock_and_runs_no_writer_threads(pair: Pair) -> None:
    _, reader = pair  # started while the writer holds the lock: it never asked for it
    service = _reader_service(reader)
    assert service.lock is None
    assert service.writer is None
    assert not service.worker.alive
    names = [thread.name for thread in threading.enumerate()]
    assert names.count("notary-status-watcher") == 1
    assert reader.get("/readyz").json()["checks"] == {"reader": True, "database": True}


def test_reader_sees_a_status_changed_through_the_writer_after_one_poll(pair: Pair) -> None:
    writer, reader = pair
    receipt_id = _notarise(writer, DIGEST, wait=30)
    watcher = _reader_service(reader).follower
    watcher.stop()  # polled by hand below

    def state() -> str:
        receipt = reader.get(f"/v1/digests/{DIGEST}").json()["receipts"][0]
        return str(receipt["document_status"]["state"])

    assert state() == "valid"  # and now cached
    body = {"receipt_id": receipt_id, "action": "suspend"}
    assert writer.http.post("/v1/status", json=body, headers=writer.auth()).status_code == 200
    assert state() == "valid"  # the cache, until the poll
    assert watcher.sync_once() is True
    assert state() == "suspended"
    assert watcher.sync_once() is False
