"""Issue 13, item 2: a link or QR code without the document never reads as "valid".

`/#sha256=…` (the QR code printed on paper) only describes the notarisation record
(issuer, date, kind, status today) and says plainly that the paper in hand has not been
checked, and how to check it. The issuer's public description (title, reference number)
is shown for comparison only when the anchored leaf's `meta` is its digest.
"""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

from govchain_core.digest import digest_bytes
from govchain_core.receipt_codec import encode_receipt
from tests.integration.web.chain import ISSUER_NAME
from tests.integration.web.conftest import Documents, PageProbe
from tests.integration.web.pages import (
    check_files,
    german_date,
    open_page,
    verdict,
    verdict_reason,
)
from tests.integration.web.servers import StaticSite
from tests.integration.web.test_web_verifier_browser import run_axe

pytestmark = pytest.mark.browser


def link_to(document: bytes) -> str:
    return f"#sha256={hashlib.sha256(document).hexdigest()}"


def assert_not_green(page: Page) -> None:
    box = page.locator("#verdict")
    assert box.get_attribute("data-verdict") != "valid"
    assert "summary--valid" not in (box.get_attribute("class") or "")
    assert not box.inner_text().startswith(("Gültig", "Valid"))


def test_a_link_alone_describes_the_record_and_says_the_paper_is_unchecked(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site, link_to(documents.valid))
    verdict(page, "record_only")
    assert verdict_reason(page) == "no_document"
    assert page.locator("#verdict").get_attribute("data-for") == ""
    assert_not_green(page)
    text = page.locator("#verdict").inner_text()
    receipt = documents.receipts[documents.valid]
    assert ISSUER_NAME in text
    assert german_date(receipt.anchor.timestamp) in text
    assert "Bescheinigung oder Urkunde" in text
    assert "Status heute: gültig" in text
    assert "NICHT geprüft" in text
    # nothing on the page says the document is valid
    assert "Dokument ist gültig" not in page.locator("main").inner_text()
    howto = page.locator("#link-info [data-paper=unchecked]")
    expect(howto).to_contain_text("Ihr Papier wurde NICHT geprüft")
    expect(howto).to_contain_text("wählen Sie oben die Datei des Dokuments aus")
    probe.screenshot("link-record-only-de")
    # choosing the file turns the record into a check of the document
    found = check_files(page, document=documents.valid)
    assert found["verdict"] == "valid"
    assert found["for"] == str(digest_bytes(documents.valid))
    expect(page.locator("#link-info [data-paper=unchecked]")).to_have_count(0)


def test_a_link_to_a_revoked_document_is_not_valid_without_the_file(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site, link_to(documents.revoked))
    verdict(page, "not_valid")
    assert verdict_reason(page) == "status_revoked"


def test_a_link_to_an_unknown_fingerprint_is_not_valid(probe: PageProbe, site: StaticSite) -> None:
    page = open_page(probe, site, link_to(b"never notarised"))
    verdict(page, "not_valid")
    assert verdict_reason(page) == "unknown_digest"


def test_a_receipt_alone_is_a_record_never_green(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    found = check_files(page, receipt=encode_receipt(documents.receipts[documents.valid]))
    assert (found["verdict"], found["for"]) == ("record_only", "")
    assert_not_green(page)
    found = check_files(page, document=documents.valid)
    assert (found["verdict"], found["for"]) == ("valid", str(digest_bytes(documents.valid)))


def test_the_issuers_description_is_shown_when_the_anchored_meta_proves_it(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site, link_to(documents.described))
    verdict(page, "record_only")
    block = page.locator("[data-description=verified]")
    expect(block).to_contain_text("Angaben des Ausstellers")
    expect(block).to_contain_text("Vergleichen Sie sie mit Ihrem Papier")
    expect(block).to_contain_text(documents.description["title"])
    expect(block).to_contain_text(documents.description["reference"])
    assert documents.description["nonce"] not in page.content()
    assert run_axe(page) == []
    probe.screenshot("link-with-description-de")


def test_a_description_the_anchored_meta_does_not_prove_is_not_shown(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site, link_to(documents.forged_description))
    verdict(page, "record_only")
    expect(page.locator("[data-description]")).to_have_count(0)
    assert "AZ 99-2026/0001" not in page.locator("#results").inner_text()


def test_the_record_is_described_in_english_too(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site, link_to(documents.valid))
    verdict(page, "record_only")
    try:
        page.click("#language-toggle")
        expect(page.locator("#verdict")).to_contain_text("has NOT been checked")
        expect(page.locator("#link-info")).to_contain_text("Your paper has NOT been checked")
        assert run_axe(page) == []
    finally:
        if page.evaluate("document.documentElement.lang") == "en":
            page.click("#language-toggle")
