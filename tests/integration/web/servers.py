"""Local HTTP servers for the browser tests, each on 127.0.0.1 and a free port.

- ``StaticSite`` serves the web verifier folder as any static server would, plus an
  optional ``config.json`` (as the notary serves it).
- ``NotaryStub`` answers the notary's public reads the page uses,
  ``GET /v1/digests/{digest}`` and ``GET /v1/issuers``, in the notary's response
  schema (``govchain_notary.api.schemas.LookupResponse``), from receipts the test
  anchored on a real chain.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from govchain_core.receipt import Receipt
from govchain_core.receipt_codec import receipt_to_object


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""

    def send_json(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class _Server:
    """A threading HTTP server on a free local port."""

    def __init__(self, handler: Any) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class StaticSite(_Server):
    """The web folder; ``config`` (when set) is served as ``/config.json``."""

    def __init__(self, root: Path) -> None:
        self.config: dict[str, Any] | None = None
        site = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/config.json":
                    if site.config is None:
                        self.send_json(HTTPStatus.NOT_FOUND, {"detail": "no config"})
                    else:
                        self.send_json(HTTPStatus.OK, site.config)
                    return
                super().do_GET()

        super().__init__(partial(Handler, directory=str(root)))


@dataclass
class _Entry:
    receipt: Receipt | None
    kind: str
    issuer: str
    digest: str
    leaf_hash: str
    state: dict[str, Any] = field(default_factory=lambda: {"state": "valid", "since": 0})
    description: dict[str, str] | None = None


class NotaryStub(_Server):
    """The notary's public lookup, answering from receipts registered by the test."""

    def __init__(self) -> None:
        self.entries: dict[str, list[_Entry]] = {}
        self.issuers: list[dict[str, Any]] = []
        self.requests: list[str] = []
        stub = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                stub.requests.append(self.path)
                if self.path == "/v1/issuers":
                    self.send_json(HTTPStatus.OK, stub.issuers)
                    return
                prefix = "/v1/digests/"
                if not self.path.startswith(prefix):
                    self.send_json(
                        HTTPStatus.NOT_FOUND, {"title": "Not Found"}, "application/problem+json"
                    )
                    return
                digest = self.path[len(prefix) :].replace("%3A", ":").replace("%3a", ":")
                entries = stub.entries.get(digest)
                if not entries:
                    self.send_json(
                        HTTPStatus.NOT_FOUND,
                        {
                            "title": "Not Found",
                            "status": 404,
                            "detail": f"{digest} was never notarised here",
                        },
                        "application/problem+json",
                    )
                    return
                self.send_json(
                    HTTPStatus.OK,
                    {
                        "digest": digest,
                        "receipts": [stub.view(e, i) for i, e in enumerate(entries)],
                    },
                )

        super().__init__(Handler)

    def add(
        self,
        receipt: Receipt,
        state: dict[str, Any] | None = None,
        description: dict[str, str] | None = None,
    ) -> None:
        """Serve a receipt; ``description`` is the issuer's public description of the
        document (whose digest the leaf's ``meta`` should be), as a notary would keep it."""
        digest = str(receipt.leaf.digest)
        entry = _Entry(receipt, receipt.leaf.kind, receipt.issuer, digest, receipt.leaf_hash.hex())
        entry.description = description
        if state is not None:
            entry.state = state
        self.entries.setdefault(digest, []).append(entry)

    def add_pending(self, digest: str, kind: str, issuer: str) -> None:
        self.entries.setdefault(digest, []).append(_Entry(None, kind, issuer, digest, "00" * 32))

    @staticmethod
    def view(entry: _Entry, position: int) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": f"r{position:04d}{entry.leaf_hash[:12]}",
            "digest": entry.digest,
            "kind": entry.kind,
            "issuer": entry.issuer,
            "log_index": entry.receipt.proof.index if entry.receipt else 0,
            "leaf_hash": entry.leaf_hash,
            "document_status": entry.state,
        }
        if entry.description is not None:
            view["description"] = entry.description
        if entry.receipt is None:
            view["status"] = "pending"
            view["leaf"] = {
                "v": 1,
                "kind": entry.kind,
                "digest": entry.digest,
                "salt": "00" * 16,
                "issuer": entry.issuer,
            }
        else:
            view["status"] = "anchored"
            view["receipt"] = receipt_to_object(entry.receipt)
        return view
