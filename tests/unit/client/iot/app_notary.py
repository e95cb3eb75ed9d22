"""The real notary app (``govchain_notary.app.create_app``) as a ``NotaryDouble``.

The app runs in memory: ``MemoryNotaryStore``, ``MemoryAnchorer`` and FastAPI's
``TestClient``, which runs the lifespan (writer thread, status follower) and serves
requests synchronously.  The bridge's adapter builds its own ``httpx.Client``, so the
adapter's requests are handed to the ``TestClient`` from a ``MockTransport`` handler.

Anchoring is the test's to decide: the anchoring worker keeps its code but not its
thread, and ``anchor_all`` runs one pass of it, so a reading is never anchored early.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.anchoring import AnchoringWorker
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.service import NotaryService
from govchain_notary.settings import IssuerSettings, load_settings
from govchain_notary.storage.memory import MemoryNotaryStore
from tests.unit.client.iot.fake_notary import ISSUER
from tests.unit.client.iot.notary_double import NotaryDouble


class ManualAnchoring(AnchoringWorker):
    """The notary's anchoring worker without its background thread."""

    def start(self) -> None:
        for issuer in self.issuers:
            self.reconcile(issuer)


class AppNotary(NotaryDouble):
    def __init__(self, api_key: str, http: TestClient, service: NotaryService) -> None:
        super().__init__(api_key)
        self.http = http
        self.service = service

    def answer(self, request: httpx.Request) -> httpx.Response:
        answer = self.http.send(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def anchor_all(self) -> None:
        self.service.worker.anchor_once(ISSUER)

    def receipt_ids(self) -> list[str]:
        store = self.service.store
        ids = []
        for index in range(store.log_size(ISSUER)):
            submission = store.submission_at(ISSUER, index)
            assert submission is not None
            ids.append(submission.receipt_id)
        return ids


@contextmanager
def app_notary(data_dir: Path, **overrides: Any) -> Iterator[AppNotary]:
    """A running notary app whose only client may submit IoT readings."""
    settings = load_settings(
        **{
            "data_dir": data_dir,
            "chain": "memory",
            "issuers": [IssuerSettings(address=ISSUER)],
            "block_period": 3600,  # the status and roles followers idle
            "default_client_rate": 100_000,
            "public_read_rate": 100_000,
            "public_read_burst": 100_000,
            **overrides,
        }
    )
    store = MemoryNotaryStore()
    app = create_app(settings, store=store, anchorer=MemoryAnchorer(issuers=[ISSUER]))
    service: NotaryService = app.state.service
    worker = service.worker
    service.worker = ManualAnchoring(
        store,
        worker.anchorer,
        worker.issuers,
        worker.block_period,
        worker.threshold,
        worker.on_anchored,
    )
    _, key = new_client(store, "iot-bridge", ISSUER, ["submit:iot"], 100_000)
    with TestClient(app) as http:
        yield AppNotary(key, http, service)
