"""Fixtures of the web verifier's browser tests.

A real dev chain with the registries deployed (chain.py), a notary stub answering
the public lookup from receipts anchored on that chain, the web folder served by a
plain static server on 127.0.0.1, and Debian's Chromium (/usr/bin/chromium) driven
headless by Playwright with a new, empty user data directory. Screenshots go to
``test-artifacts/web/`` (or ``$GOVCHAIN_TEST_ARTIFACTS/web``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, sync_playwright

from govchain_core.digest import digest_bytes
from govchain_core.leaf import description_meta
from govchain_core.receipt import Receipt
from tests.integration.web.chain import ISSUER_AGS, ISSUER_NAME, DevChain, dev_chain
from tests.integration.web.servers import NotaryStub, StaticSite

REPO = Path(__file__).resolve().parents[3]
WEB_ROOT = REPO / "clients" / "govchain_client" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def artifacts_dir() -> Path:
    base = Path(os.environ.get("GOVCHAIN_TEST_ARTIFACTS", REPO / "test-artifacts"))
    path = base / "web"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Documents:
    """Documents notarised on the test chain, with their receipts."""

    valid: bytes
    revoked: bytes
    pending: bytes
    later: bytes
    described: bytes = b""
    forged_description: bytes = b""
    receipts: dict[bytes, Receipt] = field(default_factory=dict)
    revoked_at: int = 0
    description: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="package")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevChain]:
    with dev_chain(tmp_path_factory.mktemp("web-chain") / "node") as running:
        yield running


@pytest.fixture(scope="package")
def documents(chain: DevChain) -> Documents:
    docs = Documents(
        valid=b"Meldebescheinigung\nMax Mustermann, Koeln\n" + os.urandom(16),
        revoked=b"Fuehrungszeugnis (widerrufen)\n" + os.urandom(16),
        pending=b"Noch nicht verankert\n" + os.urandom(16),
        later=b"Zweiter Stapel: Registerauszug\n" + os.urandom(16),
    )
    first = chain.notarise([b"other %d" % i for i in range(3)] + [docs.valid, docs.revoked])
    docs.receipts[docs.valid] = first[3]
    docs.receipts[docs.revoked] = first[4]
    # a second checkpoint, anchored with a consistency proof from the first
    (later,) = chain.notarise([docs.later], kind="register")
    docs.receipts[docs.later] = later
    docs.revoked_at = chain.revoke(first[4].leaf_hash, reason=2)
    # the issuer's public description, bound to the leaf by its digest in `meta`; a
    # random nonce keeps the short text from being guessed from the anchored digest
    docs.description = {
        "title": "Meldebescheinigung",
        "reference": "AZ 33-2026/0815",
        "nonce": os.urandom(16).hex(),
    }
    docs.described = b"Meldebescheinigung mit Beschreibung\n" + os.urandom(16)
    docs.forged_description = b"Beschreibung vom Notar-Dienst verfaelscht\n" + os.urandom(16)
    meta = description_meta(docs.description)
    described = chain.notarise([docs.described, docs.forged_description], metas=[meta, meta])
    docs.receipts[docs.described] = described[0]
    docs.receipts[docs.forged_description] = described[1]
    return docs


@pytest.fixture(scope="package")
def notary(chain: DevChain, documents: Documents) -> Iterator[NotaryStub]:
    stub = NotaryStub()
    stub.issuers = [
        {
            "address": chain.issuer,
            "name": ISSUER_NAME,
            "ags": ISSUER_AGS,
            "roles": ["certificate", "register"],
            "valid_from": 0,
            "valid_until": 0,
            "served_here": True,
        }
    ]
    stub.add(documents.receipts[documents.valid])
    stub.add(documents.receipts[documents.later])
    stub.add(
        documents.receipts[documents.revoked],
        {"state": "revoked", "since": documents.revoked_at, "superseded_by": None},
    )
    stub.add_pending(str(digest_bytes(documents.pending)), "certificate", chain.issuer)
    stub.add(documents.receipts[documents.described], description=documents.description)
    forged = {**documents.description, "reference": "AZ 99-2026/0001"}
    stub.add(documents.receipts[documents.forged_description], description=forged)
    yield stub
    stub.stop()


@pytest.fixture(scope="package")
def site(chain: DevChain, notary: NotaryStub) -> Iterator[StaticSite]:
    server = StaticSite(WEB_ROOT)
    server.config = {
        "notary": notary.url,
        "rpc": chain.node.rpc_url,
        "chainId": chain.node.chain_id,
        "registries": chain.registries,
    }
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian chromium is missing: run scripts/install-browser (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport={"width": 1100, "height": 1400},
            accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class PageProbe:
    """A page and what it reported: uncaught errors and console errors."""

    page: Page
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        path = artifacts_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def probe(browser: BrowserContext, request: pytest.FixtureRequest) -> Iterator[PageProbe]:
    page = browser.new_page()
    found = PageProbe(page)
    page.on("pageerror", lambda error: found.errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.console.append(message.text)

    page.on("console", on_console)
    yield found
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        found.screenshot(f"{name}-final")
    finally:
        page.close()
    assert found.errors == [], found.errors
    violations = [text for text in found.console if "Content Security Policy" in text]
    assert violations == [], violations
