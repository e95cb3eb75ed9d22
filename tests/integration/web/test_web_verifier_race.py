"""Issue 13, items 1 and 2: the verdict is always the one for the current inputs.

The page's node answers slowly (a TCP proxy holds every answer 1.5 s, as a remote node
may; the notary 0.5 s), and the inputs are chosen in every order and timing: receipt
then a tampered document, document then receipt, the document replaced while it is
checked, the receipt replaced, a link and then a file. Every value the verdict element
takes is recorded in the page (a MutationObserver), and each scenario waits until no
request of the page is in flight, so a check started for an earlier selection has had
every chance to finish and overwrite the newer result. A tampered document must never
be shown as valid, and the final verdict must be the one for the current inputs.

Before the fix (commit 1c41318's page) the first scenario showed "valid" for the
tampered document at every delay.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request

from govchain_core.digest import digest_bytes
from govchain_core.receipt_codec import encode_receipt
from tests.integration.web.chain import DevChain
from tests.integration.web.conftest import WEB_ROOT, Documents, PageProbe
from tests.integration.web.pages import FINAL_VERDICTS, choose, open_page
from tests.integration.web.servers import NotaryStub, StaticSite
from tests.support.tcp_proxy import threaded_proxy

pytestmark = pytest.mark.browser

NODE_LATENCY = 1.5
NOTARY_LATENCY = 0.5
SETTLE_TIMEOUT = 120.0
# when the second input comes: at once, while the lookup runs, mid-way through the
# chain reads, and after the first check has (nearly) finished
DELAYS = (0.0, 0.4, 2.0, 6.0)

RECORDER = """() => {
    window.__verdicts = [];
    const element = document.querySelector('[data-verdict]');
    const note = () => window.__verdicts.push({
        verdict: element.dataset.verdict, run: Number(element.dataset.run ?? -1),
        for: element.dataset.for ?? null, at: performance.now(),
        text: element.textContent });
    note();
    new MutationObserver(note).observe(element,
        {attributes: true, childList: true, characterData: true, subtree: true});
}"""


@pytest.fixture(scope="module")
def slow_site(chain: DevChain, notary: NotaryStub) -> Iterator[StaticSite]:
    """The page, with its node behind a 1.5 s proxy and its notary behind a 0.5 s one."""
    node = urlsplit(chain.node.rpc_url)
    stub = urlsplit(notary.url)
    assert node.hostname
    assert node.port
    assert stub.hostname
    assert stub.port
    with (
        threaded_proxy(node.hostname, node.port, NODE_LATENCY) as node_port,
        threaded_proxy(stub.hostname, stub.port, NOTARY_LATENCY) as notary_port,
    ):
        server = StaticSite(WEB_ROOT)
        server.config = {
            "notary": f"http://127.0.0.1:{notary_port}",
            "rpc": f"http://127.0.0.1:{node_port}{node.path}",
            "chainId": chain.node.chain_id,
            "registries": chain.registries,
        }
        try:
            yield server
        finally:
            server.stop()


@dataclass
class Recorded:
    """What the page showed: every verdict value, and requests still in flight."""

    page: Page
    in_flight: set[Request]

    def mark(self) -> dict[str, float]:
        """The run counter and page time now, to tell later verdicts from earlier ones."""
        found: dict[str, float] = self.page.evaluate(
            "(() => { const e = document.querySelector('[data-verdict]');"
            " return {run: Number(e.dataset.run ?? -1), at: performance.now()}; })()"
        )
        return found

    def settle(self) -> dict[str, Any]:
        """Wait until no request is in flight and the verdict is final; the last value."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            last = self.history()[-1]
            if not self.in_flight and last["verdict"] in FINAL_VERDICTS:
                # one more turn of the page's task queue for a response just handled
                self.page.evaluate("new Promise((resolve) => setTimeout(resolve, 0))")
                if not self.in_flight:
                    return self.history()[-1]
            assert time.monotonic() < deadline, (last, [r.url for r in self.in_flight])
            self.page.wait_for_timeout(50)

    def history(self) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = self.page.evaluate("window.__verdicts")
        return values

    def since(self, mark: dict[str, float]) -> list[dict[str, Any]]:
        """Values shown for inputs chosen at or after ``mark`` (by time on a page without runs)."""
        if mark["run"] >= 0:
            return [v for v in self.history() if v["run"] >= mark["run"]]
        return [v for v in self.history() if v["at"] >= mark["at"]]


def record(probe: PageProbe, site: StaticSite, fragment: str = "") -> Recorded:
    page = open_page(probe, site, fragment)
    in_flight: set[Request] = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    page.evaluate(RECORDER)
    return Recorded(page, in_flight)


def tampered(document: bytes) -> bytes:
    """The document with one byte changed."""
    return document[:-1] + bytes([document[-1] ^ 0x01])


def choose_receipt(page: Page, documents: Documents, document: bytes) -> None:
    receipt = encode_receipt(documents.receipts[document])
    choose(page, "#receipt-input", "quittung.govchain.json", receipt, "application/json")


def wait(page: Page, seconds: float) -> None:
    """The user's pause between two choices (input timing, not an oracle)."""
    if seconds:
        page.wait_for_timeout(seconds * 1000)


def never_valid(values: list[dict[str, Any]]) -> None:
    shown = [v for v in values if v["verdict"] == "valid"]
    assert shown == [], shown


@pytest.mark.parametrize("delay", DELAYS)
def test_receipt_then_a_tampered_document_is_never_valid(
    probe: PageProbe, slow_site: StaticSite, documents: Documents, delay: float
) -> None:
    recorded = record(probe, slow_site)
    page = recorded.page
    choose_receipt(page, documents, documents.valid)
    wait(page, delay)
    bad = tampered(documents.valid)
    choose(page, "#document-input", "meldebescheinigung.pdf", bad)
    mark = recorded.mark()
    last = recorded.settle()
    never_valid(recorded.since(mark))
    assert last["verdict"] == "not_valid", last
    assert last["for"] == str(digest_bytes(bad))
    assert page.locator("#verdict").get_attribute("data-reason") == "document_mismatch"
    probe.console.clear()  # aborted requests of outdated runs are logged as network errors


@pytest.mark.parametrize("delay", DELAYS)
def test_tampered_document_then_receipt_is_never_valid(
    probe: PageProbe, slow_site: StaticSite, documents: Documents, delay: float
) -> None:
    recorded = record(probe, slow_site)
    page = recorded.page
    bad = tampered(documents.valid)
    mark = recorded.mark()
    choose(page, "#document-input", "meldebescheinigung.pdf", bad)
    wait(page, delay)
    choose_receipt(page, documents, documents.valid)
    last = recorded.settle()
    never_valid(recorded.since(mark))
    assert (last["verdict"], last["for"]) == ("not_valid", str(digest_bytes(bad)))
    probe.console.clear()


@pytest.mark.parametrize("delay", DELAYS)
def test_a_document_replaced_by_a_tampered_one_while_checking_is_not_valid(
    probe: PageProbe, slow_site: StaticSite, documents: Documents, delay: float
) -> None:
    recorded = record(probe, slow_site)
    page = recorded.page
    choose(page, "#document-input", "echt.pdf", documents.valid)
    wait(page, delay)
    bad = tampered(documents.valid)
    choose(page, "#document-input", "gefaelscht.pdf", bad)
    mark = recorded.mark()
    last = recorded.settle()
    never_valid(recorded.since(mark))
    assert (last["verdict"], last["for"]) == ("not_valid", str(digest_bytes(bad)))
    assert page.locator("#verdict").get_attribute("data-reason") == "unknown_digest"
    probe.console.clear()


@pytest.mark.parametrize("delay", DELAYS)
def test_a_receipt_replaced_while_checking_judges_the_new_pair(
    probe: PageProbe, slow_site: StaticSite, documents: Documents, delay: float
) -> None:
    recorded = record(probe, slow_site)
    page = recorded.page
    choose(page, "#document-input", "echt.pdf", documents.valid)
    choose_receipt(page, documents, documents.valid)
    wait(page, delay)
    # the receipt of another document: this (document, receipt) pair is not valid
    choose_receipt(page, documents, documents.later)
    mark = recorded.mark()
    last = recorded.settle()
    never_valid(recorded.since(mark))
    assert (last["verdict"], last["for"]) == ("not_valid", str(digest_bytes(documents.valid)))
    assert page.locator("#verdict").get_attribute("data-reason") == "document_mismatch"
    probe.console.clear()


@pytest.mark.parametrize("delay", DELAYS[:3])
def test_a_link_then_a_tampered_file_is_not_valid_and_the_link_alone_never_valid(
    probe: PageProbe, slow_site: StaticSite, documents: Documents, delay: float
) -> None:
    hex_digest = hashlib.sha256(documents.valid).hexdigest()
    recorded = record(probe, slow_site, f"#sha256={hex_digest}")
    page = recorded.page
    wait(page, delay)
    bad = tampered(documents.valid)
    choose(page, "#document-input", "papier-scan.pdf", bad)
    last = recorded.settle()
    never_valid(recorded.history())
    assert (last["verdict"], last["for"]) == ("not_valid", str(digest_bytes(bad)))
    assert page.locator("#verdict").get_attribute("data-reason") == "link_mismatch"
    probe.console.clear()


def test_the_valid_pair_is_valid_for_its_digest_whatever_the_order(
    probe: PageProbe, slow_site: StaticSite, documents: Documents
) -> None:
    """The positive control: the slow node does not turn a real document into "not valid"."""
    recorded = record(probe, slow_site)
    page = recorded.page
    choose(page, "#document-input", "echt.pdf", documents.valid)
    choose_receipt(page, documents, documents.valid)
    last = recorded.settle()
    assert (last["verdict"], last["for"]) == ("valid", str(digest_bytes(documents.valid)))
    choose(page, "#document-input", "gefaelscht.pdf", tampered(documents.valid))
    mark = recorded.mark()
    last = recorded.settle()
    never_valid(recorded.since(mark))
    assert last["verdict"] == "not_valid"
    choose(page, "#document-input", "echt-wieder.pdf", documents.valid)
    last = recorded.settle()
    assert (last["verdict"], last["for"]) == ("valid", str(digest_bytes(documents.valid)))


def test_a_large_file_replaced_while_it_is_hashed_judges_the_new_file(
    probe: PageProbe, site: StaticSite, documents: Documents, tmp_path: Path
) -> None:
    """Hashing belongs to the document input: replacing the file aborts it."""
    big = tmp_path / "gross.bin"
    with big.open("wb") as out:
        for _ in range(80):  # beyond the one-piece limit: hashed in chunks, abortable
            out.write(os.urandom(1024 * 1024))
    recorded = record(probe, site)
    page = recorded.page
    page.set_input_files("#document-input", str(big))
    bad = tampered(documents.valid)
    choose(page, "#document-input", "klein.pdf", bad)
    mark = recorded.mark()
    last = recorded.settle()
    assert (last["verdict"], last["for"]) == ("not_valid", str(digest_bytes(bad)))
    assert {v["for"] for v in recorded.since(mark)} <= {"", str(digest_bytes(bad))}
