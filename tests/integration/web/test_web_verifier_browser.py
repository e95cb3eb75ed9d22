"""The web verifier in headless Debian Chromium, against a real dev chain.

The page is served by a plain static server; documents are notarised on an
in-process govchain dev node with the registries deployed, and a notary stub
answers the digest lookup in the notary's schema. Everything the page checks on
chain it reads itself, over the node's JSON-RPC.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from playwright.sync_api import Page, Request, Route, expect

from govchain_core.digest import digest_bytes
from govchain_core.receipt_codec import encode_receipt, receipt_to_object
from tests.integration.web.chain import ISSUER_AGS, ISSUER_NAME, DevChain
from tests.integration.web.conftest import REPO, Documents, PageProbe
from tests.integration.web.pages import (
    TIMEOUT,
    check_files,
    choose,
    german_date,
    open_page,
    step_statuses,
    verdict,
    verdict_reason,
)
from tests.integration.web.servers import NotaryStub, StaticSite

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def test_keyboard_reaches_the_file_inputs_with_a_visible_focus(
    probe: PageProbe, site: StaticSite
) -> None:
    page = open_page(probe, site)
    reached: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            str(page.evaluate("document.activeElement.id || document.activeElement.className"))
        )
        if reached[-1] == "document-input":
            break
    assert reached[0] == "skip-link"
    assert "language-toggle" in reached
    assert reached[-1] == "document-input", reached
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none", outline
    assert outline[1] >= 2, outline
    probe.screenshot("keyboard-focus-on-file-input")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "receipt-input"


def test_the_file_is_hashed_in_the_browser_as_python_does_and_never_uploaded(
    probe: PageProbe, site: StaticSite, notary: NotaryStub
) -> None:
    page = open_page(probe, site)
    sent: list[tuple[str, str, int]] = []
    page.on("request", lambda r: sent.append((r.method, r.url, len(r.post_data_buffer or b""))))
    for name, data in (
        ("leer.bin", b""),
        ("gross.bin", os.urandom(3 * 1024 * 1024 + 17)),
        ("ä ö.txt", "Grüße\n".encode()),
    ):
        choose(page, "#document-input", name, data)
        expect(page.locator("#digest-value")).to_have_text(
            f"sha256:{hashlib.sha256(data).hexdigest()}", timeout=TIMEOUT
        )
        verdict(page, "not_valid")
        assert verdict_reason(page) == "unknown_digest"
    uploads = [entry for entry in sent if entry[0] != "GET" or entry[2] > 0]
    assert uploads == [], uploads
    assert any("/v1/digests/sha256" in url for _, url, _ in sent)


def test_a_large_file_is_hashed_in_chunks_as_python_does(
    probe: PageProbe, site: StaticSite, tmp_path: Path
) -> None:
    page = open_page(probe, site)
    big = tmp_path / "datensatz.bin"
    hasher = hashlib.sha256()
    with big.open("wb") as out:
        for _ in range(70):  # 70 MiB: beyond WebCrypto's one-piece limit of the page
            chunk = os.urandom(1024 * 1024)
            hasher.update(chunk)
            out.write(chunk)
    page.set_input_files("#document-input", str(big))
    expect(page.locator("#digest-value")).to_have_text(
        f"sha256:{hasher.hexdigest()}", timeout=120_000
    )


def test_a_notarised_document_is_valid_with_issuer_and_anchor(
    probe: PageProbe, site: StaticSite, chain: DevChain, documents: Documents
) -> None:
    page = open_page(probe, site)
    choose(page, "#document-input", "meldebescheinigung.pdf", documents.valid)
    verdict(page, "valid")
    entry = page.locator(".entry").first
    expect(entry.locator(".step")).to_have_count(4)
    assert step_statuses(page, ".entry") == ["passed"] * 4
    text = entry.inner_text()
    receipt = documents.receipts[documents.valid]
    assert ISSUER_NAME in text
    assert ISSUER_AGS in text
    assert "Bescheinigung oder Urkunde" in text
    assert german_date(receipt.anchor.timestamp) in text
    assert str(receipt.anchor.block_number) in text
    assert entry.locator("[data-state]").get_attribute("data-state") == "valid"
    assert "gültig" in page.locator("#verdict").inner_text().lower()
    assert page.locator("#verdict").get_attribute("data-for") == str(digest_bytes(documents.valid))
    probe.screenshot("valid-document-de")


def test_a_modified_document_is_not_found(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    choose(page, "#document-input", "meldebescheinigung.pdf", documents.valid + b" ")
    verdict(page, "not_valid")
    assert verdict_reason(page) == "unknown_digest"
    expect(page.locator("[data-lookup=none]")).to_be_visible()
    probe.screenshot("modified-document-de")


def test_a_revoked_document_is_revoked_with_its_date(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    choose(page, "#document-input", "zeugnis.pdf", documents.revoked)
    verdict(page, "not_valid")
    assert verdict_reason(page) == "status_revoked"
    assert step_statuses(page, ".entry") == ["passed", "passed", "passed", "failed"]
    state = page.locator(".entry [data-state]").first
    expect(state).to_have_attribute("data-state", "revoked")
    assert f"widerrufen seit {german_date(documents.revoked_at)}" in state.inner_text()
    assert german_date(documents.revoked_at) in page.locator("#verdict").inner_text()
    probe.screenshot("revoked-document-de")


def test_a_pending_document_is_reported_as_not_anchored_yet(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    choose(page, "#document-input", "neu.pdf", documents.pending)
    verdict(page, "could_not_check")
    assert verdict_reason(page) == "not_anchored"
    expect(page.locator(".entry [data-state=pending]")).to_be_visible()


def test_a_receipt_is_verified_in_the_browser_without_the_notary(
    probe: PageProbe, site: StaticSite, notary: NotaryStub, documents: Documents
) -> None:
    page = open_page(probe, site)
    blocked: list[str] = []

    def refuse(route: Route, request: Request) -> None:
        blocked.append(request.url)
        route.abort()

    page.route(f"{notary.url}/**", refuse)
    receipt = documents.receipts[documents.later]
    choose(
        page, "#receipt-input", "auszug.govchain.json", encode_receipt(receipt), "application/json"
    )
    # a receipt alone proves the record, not a document: never green without the file
    verdict(page, "record_only")
    assert page.locator("#verdict").get_attribute("data-for") == ""
    assert step_statuses(page, "[data-receipt]") == ["passed"] * 4
    block = page.locator("[data-receipt]").inner_text()
    assert ISSUER_NAME in block
    assert "Registerauszug" in block
    assert blocked == []
    probe.screenshot("receipt-verified-de")
    # with the document as well, the format step compares its digest
    choose(page, "#document-input", "auszug.pdf", documents.later)
    expect(page.locator("#digest-value")).to_have_text(str(receipt.leaf.digest), timeout=TIMEOUT)
    verdict(page, "valid")
    choose(page, "#document-input", "anderes.pdf", b"something else")
    expect(page.locator("[data-receipt] .step[data-step=format]")).to_have_attribute(
        "data-status", "failed", timeout=TIMEOUT
    )
    probe.console.clear()  # the refused notary requests are logged as network errors


def test_a_tampered_receipt_fails_at_inclusion_and_a_malformed_one_is_refused(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    obj: dict[str, Any] = receipt_to_object(documents.receipts[documents.valid])
    obj["leaf"]["salt"] = "ff" * 16
    choose(
        page, "#receipt-input", "falsch.govchain.json", json.dumps(obj).encode(), "application/json"
    )
    verdict(page, "not_valid")
    assert step_statuses(page, "[data-receipt]") == ["passed", "failed", "skipped", "skipped"]
    choose(
        page,
        "#receipt-input",
        "kaputt.govchain.json",
        b'{"type": "govchain-receipt", "version": "2.0"}',
        "application/json",
    )
    verdict(page, "not_valid")
    assert "nicht unterstützt" in page.locator("#verdict").inner_text()
    obj = receipt_to_object(documents.receipts[documents.valid])
    obj["anchor"]["block_hash"] = obj["anchor"]["block_hash"].upper().replace("0X", "0x")
    choose(
        page, "#receipt-input", "gross.govchain.json", json.dumps(obj).encode(), "application/json"
    )
    verdict(page, "not_valid")
    message = page.locator("#verdict").inner_text()
    assert message.count("/anchor/block_hash") == 1, message
    assert "Feld /anchor/block_hash" in message


def test_an_unreachable_node_is_check_not_possible_naming_the_node(
    probe: PageProbe, site: StaticSite, chain: DevChain, documents: Documents
) -> None:
    page = open_page(probe, site)
    page.route(f"{chain.node.rpc_url}**", lambda route: route.abort())
    found = check_files(page, document=documents.valid)
    assert found["verdict"] == "could_not_check", found
    assert found["reason"] == "chain_unreadable"
    assert found["text"].startswith("Prüfung nicht möglich:")
    assert chain.node.rpc_url in found["text"]
    assert step_statuses(page, ".entry") == ["passed", "passed", "error", "skipped"]
    probe.console.clear()  # the refused node requests are logged as network errors


def test_an_unreachable_notary_is_check_not_possible_naming_the_notary(
    probe: PageProbe, site: StaticSite, notary: NotaryStub, documents: Documents
) -> None:
    page = open_page(probe, site)
    page.route(f"{notary.url}/**", lambda route: route.abort())
    found = check_files(page, document=documents.valid)
    assert (found["verdict"], found["reason"]) == ("could_not_check", "notary_unreachable")
    assert notary.url in found["text"]
    probe.console.clear()


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        ("tx_hash", "0x" + "ef" * 32, "tx_unknown", "Transaktion gibt es nicht"),
        ("timestamp", 1, "timestamp_differs", "Zeitstempel"),
        ("block_number", 1, "block_number_differs", "Blocknummer"),
    ],
)
def test_the_anchor_names_the_receipt_field_that_differs_from_the_chain(
    probe: PageProbe,
    site: StaticSite,
    documents: Documents,
    field: str,
    value: Any,
    code: str,
    message: str,
) -> None:
    obj: dict[str, Any] = receipt_to_object(documents.receipts[documents.valid])
    obj["anchor"][field] = value if isinstance(value, str) else obj["anchor"][field] + value
    page = open_page(probe, site)
    found = check_files(page, receipt=json.dumps(obj).encode(), document=documents.valid)
    assert (found["verdict"], found["reason"]) == ("not_valid", code), found
    assert f"/anchor/{field}" in found["text"]
    assert message in found["text"]
    assert "anderen Block" not in found["text"]
    assert step_statuses(page, "[data-receipt]") == ["passed", "passed", "failed", "skipped"]


def read_qr(page: Page) -> str:
    """Rasterise the page's QR SVG in a canvas and decode it with ZXing."""
    size = 400
    gray: list[int] = page.evaluate(
        """async (size) => {
            const svg = document.querySelector('#qr svg').cloneNode(true);
            svg.setAttribute('width', size); svg.setAttribute('height', size);
            const xml = new XMLSerializer().serializeToString(svg);
            const url = URL.createObjectURL(new Blob([xml], {type: 'image/svg+xml'}));
            const img = new Image();
            await new Promise((resolve, reject) => {
                img.onload = resolve; img.onerror = reject; img.src = url;
            });
            const canvas = document.createElement('canvas');
            canvas.width = size; canvas.height = size;
            const ctx = canvas.getContext('2d');
            ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, size, size);
            ctx.drawImage(img, 0, 0, size, size);
            const rgba = ctx.getImageData(0, 0, size, size).data;
            return Array.from({length: size * size}, (_, i) => rgba[4 * i]);
        }""",
        size,
    )
    image = memoryview(bytes(gray)).cast("B", (size, size))
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    assert len(results) == 1, results
    assert results[0].ec_level == "M"
    return str(results[0].text)


def test_a_link_opens_the_page_prefilled_and_its_qr_code_decodes(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    hex_digest = hashlib.sha256(documents.valid).hexdigest()
    page = open_page(probe, site, f"#sha256={hex_digest}")
    expect(page.locator("#link-info")).to_contain_text(f"sha256:{hex_digest}")
    verdict(page, "record_only")
    link = f"{site.url}/#sha256={hex_digest}"
    expect(page.locator("#share-link")).to_have_text(link)
    assert read_qr(page) == link
    svg = page.locator("#qr-download")
    assert (svg.get_attribute("href") or "").startswith("blob:")
    probe.screenshot("link-prefilled-de")
    choose(page, "#document-input", "dokument.pdf", documents.valid)
    expect(page.locator("[data-match]")).to_have_attribute("data-match", "true", timeout=TIMEOUT)
    choose(page, "#document-input", "anderes.pdf", b"not the document")
    expect(page.locator("[data-match]")).to_have_attribute("data-match", "false", timeout=TIMEOUT)
    verdict(page, "not_valid")
    assert verdict_reason(page) == "link_mismatch"
    page.goto(f"{site.url}/#sha256=xyz")
    expect(page.locator("#link-info")).to_contain_text(
        "keinen gültigen Fingerabdruck", timeout=TIMEOUT
    )


def test_a_dropped_file_is_checked(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    page.evaluate(
        """(bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], 'abgelegt.pdf'));
            const zone = document.getElementById('document-zone');
            zone.dispatchEvent(new DragEvent('dragenter', {dataTransfer: transfer, bubbles: true}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true}));
        }""",
        list(documents.valid),
    )
    verdict(page, "valid")
    expect(page.locator("#digest-value")).to_have_text(str(digest_bytes(documents.valid)))


def test_the_language_switches_to_english_and_back(
    probe: PageProbe, site: StaticSite, documents: Documents
) -> None:
    page = open_page(probe, site)
    assert page.evaluate("document.documentElement.lang") == "de"
    choose(page, "#document-input", "meldebescheinigung.pdf", documents.valid)
    verdict(page, "valid")
    try:
        page.click("#language-toggle")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.title() == "Verify documents – govchain"
        expect(page.locator("#language-toggle")).to_have_attribute("lang", "de")
        expect(page.locator("#language-toggle")).to_have_text("Deutsch")
        expect(page.locator(".entry .step-status").first).to_have_text("passed")
        expect(page.locator("#verdict")).to_contain_text("Valid")
        probe.screenshot("valid-document-en")
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        if page.evaluate("document.documentElement.lang") == "en":
            page.click("#language-toggle")
    assert page.evaluate("document.documentElement.lang") == "de"


def run_axe(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text("utf-8"))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_axe_core_reports_no_violations(
    probe: PageProbe, site: StaticSite, documents: Documents, language: str
) -> None:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run npm ci")
    page = open_page(probe, site)
    try:
        if language == "en":
            page.click("#language-toggle")
        assert run_axe(page) == []
        page.click(".settings summary")
        choose(page, "#document-input", "zeugnis.pdf", documents.revoked)
        verdict(page, "not_valid")
        assert run_axe(page) == []
        choose(
            page,
            "#receipt-input",
            "auszug.govchain.json",
            encode_receipt(documents.receipts[documents.later]),
        )
        expect(page.locator("[data-receipt=done]")).to_be_visible(timeout=TIMEOUT)
        assert run_axe(page) == []
        probe.screenshot(f"axe-checked-{language}")
    finally:
        if page.evaluate("document.documentElement.lang") != "de":
            page.click("#language-toggle")


def test_screenshots_are_kept_as_artefacts(probe: PageProbe, site: StaticSite) -> None:
    open_page(probe, site)
    path: Path = probe.screenshot("empty-page-de")
    assert path.stat().st_size > 1000
