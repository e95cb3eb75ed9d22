"""The web verifier as citizens meet it: served by the real notary at ``/``.

The notary (FastAPI, SQLite, web3.py) anchors on a real in-process dev node; the
page looks digests up at the notary and checks every receipt against the node's
JSON-RPC itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from govchain_core.digest import digest_bytes
from tests.integration.web.conftest import WEB_ROOT, PageProbe
from tests.integration.web.notary_app import RunningNotary, running_notary
from tests.integration.web.pages import (
    TIMEOUT,
    choose,
    german_date,
    step_statuses,
    verdict,
    verdict_reason,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNotary]:
    with running_notary(tmp_path_factory.mktemp("notary-e2e"), WEB_ROOT) as running:
        yield running


def open_served_page(probe: PageProbe, notary: RunningNotary) -> None:
    config = notary.http.get(f"{notary.url}/config.json").json()
    assert config["rpc"] == notary.rpc_url
    assert set(config["registries"]) == {"anchor", "issuer", "status"}
    probe.page.goto(f"{notary.url}/")
    expect(probe.page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)


def test_notarised_modified_and_revoked_documents_through_the_notary(
    probe: PageProbe, notary: RunningNotary
) -> None:
    valid = b"Geburtsurkunde\n" + os.urandom(16)
    revoked = b"Gewerbeanmeldung\n" + os.urandom(16)
    notary.notarise(str(digest_bytes(valid)))
    revoked_id = notary.notarise(str(digest_bytes(revoked)))
    notary.revoke(revoked_id)
    page = probe.page
    open_served_page(probe, notary)

    choose(page, "#document-input", "urkunde.pdf", valid)
    verdict(page, "valid")
    assert step_statuses(page, ".entry") == ["passed"] * 4
    assert "05315000" in page.locator(".entry").inner_text()
    probe.screenshot("notary-valid-de")

    choose(page, "#document-input", "urkunde-bearbeitet.pdf", valid + b"\n")
    verdict(page, "not_valid")
    assert verdict_reason(page) == "unknown_digest"
    probe.screenshot("notary-modified-de")

    choose(page, "#document-input", "gewerbe.pdf", revoked)
    verdict(page, "not_valid")
    assert verdict_reason(page) == "status_revoked"
    state = page.locator(".entry [data-state]").first
    expect(state).to_have_attribute("data-state", "revoked")
    assert "widerrufen seit" in state.inner_text()
    probe.screenshot("notary-revoked-de")


def test_a_deep_link_shows_the_description_given_at_notarisation(
    probe: PageProbe, notary: RunningNotary
) -> None:
    """The paper flow end to end: the issuer notarises with a title and a reference
    (the notary generates the nonce and sets the leaf's meta); the QR code's link alone
    shows them with the caption that says to compare them with the paper, and the
    page does not say the paper was checked."""
    document = b"Meldebescheinigung (Beschreibung)\n" + os.urandom(16)
    given = {"title": "Meldebescheinigung", "reference": f"AZ 33-2026/{os.urandom(3).hex()}"}
    receipt_id = notary.notarise(str(digest_bytes(document)), description=given)
    view = notary.http.get(f"{notary.url}/v1/receipts/{receipt_id}").json()
    nonce = view["description"]["nonce"]
    page = probe.page
    probe.page.goto(f"{notary.url}/#sha256={hashlib.sha256(document).hexdigest()}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    verdict(page, "record_only")
    block = page.locator("[data-description=verified]")
    expect(block).to_contain_text("Angaben des Ausstellers", timeout=TIMEOUT)
    expect(block).to_contain_text("Vergleichen Sie sie mit Ihrem Papier")
    expect(block).to_contain_text(given["title"])
    expect(block).to_contain_text(given["reference"])
    assert nonce not in page.content()
    assert page.locator("#verdict").get_attribute("data-verdict") != "valid"
    probe.screenshot("notary-link-with-description-de")


def test_a_receipt_from_the_notary_is_verified_client_side(
    probe: PageProbe, notary: RunningNotary
) -> None:
    document = b"Registerauszug\n" + os.urandom(16)
    receipt = notary.receipt(notary.notarise(str(digest_bytes(document)), kind="register"))
    page = probe.page
    open_served_page(probe, notary)
    page.route(f"{notary.url}/v1/**", lambda route: route.abort())
    choose(page, "#receipt-input", "auszug.govchain.json", json.dumps(receipt).encode())
    verdict(page, "record_only")
    assert step_statuses(page, "[data-receipt]") == ["passed"] * 4
    anchor = receipt["anchor"]
    assert isinstance(anchor, dict)
    assert german_date(int(anchor["timestamp"])) in page.locator("[data-receipt]").inner_text()
    link = f"{notary.url}/#sha256={hashlib.sha256(document).hexdigest()}"
    expect(page.locator("#share-link")).to_have_text(link, timeout=TIMEOUT)
    probe.screenshot("notary-receipt-de")
