"""The real notary, serving the web verifier at ``/``, on a real dev chain.

Deploys the registries with the notary's own dev-chain set-up and runs
``govchain_notary.app.create_app`` under uvicorn in a thread (as ``govchain up``
does), with ``static_dir`` pointing at the web folder; the notary itself serves the
page's ``config.json`` (same-origin notary, the node's JSON-RPC, the registries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from govchain_node.dev import start_dev_node
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from tests.support.notary_chain import web3_notary_settings
from tests.support.ports import free_port


@dataclass
class RunningNotary:
    url: str
    rpc_url: str
    api_key: str
    http: httpx.Client

    def notarise(
        self, digest: str, kind: str = "certificate", description: dict[str, str] | None = None
    ) -> str:
        """Submit a digest (with the issuer's public description, if given) and wait
        until it is anchored; its receipt id."""
        body: dict[str, object] = {"kind": kind, "digest": digest}
        if description is not None:
            body["description"] = description
        answer = self.http.post(
            f"{self.url}/v1/digests",
            json=body,
            headers={"Authorization": f"Bearer {self.api_key}"},
            params={"wait": 60},
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["receipts"][0]["id"])

    def receipt(self, receipt_id: str) -> dict[str, object]:
        view = self.http.get(f"{self.url}/v1/receipts/{receipt_id}").json()
        receipt: dict[str, object] = view["receipt"]
        return receipt

    def revoke(self, receipt_id: str) -> None:
        answer = self.http.post(
            f"{self.url}/v1/status",
            json={"receipt_id": receipt_id, "action": "revoke"},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        assert answer.status_code == 200, answer.text


@contextmanager
def running_notary(root: Path, web_root: Path) -> Iterator[RunningNotary]:
    node = start_dev_node(root / "node", port=0, block_period=0.0)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    try:
        settings = web3_notary_settings(node, root, block_period=0.2, static_dir=web_root)
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the notary did not start")
            time.sleep(0.05)
        service = app.state.service
        _, api_key = new_client(
            service.store, "web-tests", service.issuers[0], ["submit:*", "status:*"], 1000
        )
        with httpx.Client(timeout=90) as http:
            yield RunningNotary(f"http://127.0.0.1:{port}", node.rpc_url, api_key, http)
    finally:
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=30)
        node.stop()
