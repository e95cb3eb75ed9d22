"""The page trusts only the deployment it is configured with (issue #13, web review).

Bug: without a configured AnchorRegistry the page checked a receipt against the
AnchorRegistry the receipt names (and the IssuerRegistry read from it), so a receipt
with an attacker's own registries showed green; a config.json that failed to load
silently left the page without trust anchors. These tests serve the page with no
config.json, as a plain static host would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from govchain_core.receipt_codec import encode_receipt
from tests.integration.web.chain import DevChain
from tests.integration.web.conftest import WEB_ROOT, Documents, PageProbe
from tests.integration.web.pages import check_files, open_page
from tests.integration.web.servers import NotaryStub, StaticSite

pytestmark = pytest.mark.browser


@pytest.fixture
def bare_site() -> Iterator[StaticSite]:
    """The page without config.json (answers 404)."""
    server = StaticSite(WEB_ROOT)
    yield server
    server.stop()


def apply_settings(page: Page, values: dict[str, str]) -> None:
    """Open the expert settings, type ``values`` (input id -> text) and apply them."""
    if not page.locator("details.settings").evaluate("d => d.open"):
        page.click(".settings summary")
    for field in ("notary", "rpc", "chain-id", "anchor", "issuer", "status"):
        page.fill(f"#setting-{field}", values.get(field, ""))
    page.click("#settings-form button[type=submit]")


def test_receipt_own_registry_not_trusted_without_config_json(
    probe: PageProbe,
    bare_site: StaticSite,
    chain: DevChain,
    notary: NotaryStub,
    documents: Documents,
) -> None:
    page = open_page(probe, bare_site)
    config_url = f"{bare_site.url}/config.json"
    # the one registry the old settings offered: not enough to trust anything
    apply_settings(
        page,
        {"notary": notary.url, "rpc": chain.node.rpc_url, "status": chain.registries["status"]},
    )
    found = check_files(
        page,
        receipt=encode_receipt(documents.receipts[documents.valid]),
        document=documents.valid,
    )
    assert found["verdict"] == "could_not_check", found
    assert found["reason"] == "config_unavailable", found
    assert config_url in found["text"], found
    assert "HTTP 404" in found["text"], found
    assert "AnchorRegistry" in found["text"], found
    expect(page.locator("#setting-chain-id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#settings-message")).to_contain_text("unvollständig")
    notice = page.locator("#config-info [data-config=failed]")
    expect(notice).to_contain_text(config_url)
    expect(notice).to_contain_text("HTTP 404")


def test_expert_settings_set_all_trust_anchors_together(
    probe: PageProbe,
    bare_site: StaticSite,
    chain: DevChain,
    notary: NotaryStub,
    documents: Documents,
) -> None:
    page = open_page(probe, bare_site)
    trusted = {
        "notary": notary.url,
        "rpc": chain.node.rpc_url,
        "chain-id": str(chain.node.chain_id),
        **chain.registries,
    }
    apply_settings(page, trusted)
    expect(page.locator("#settings-message")).to_have_text("Einstellungen übernommen.")
    expect(page.locator("#config-info")).to_be_hidden()
    receipt = encode_receipt(documents.receipts[documents.valid])
    found = check_files(page, receipt=receipt, document=documents.valid)
    assert found["verdict"] == "valid", found
    # another AnchorRegistry as trust anchor: the genuine receipt names another one
    apply_settings(page, {**trusted, "anchor": chain.registries["issuer"]})
    found = check_files(page, receipt=receipt)
    assert found["verdict"] == "not_valid", found
    assert found["reason"] == "registry_untrusted", found
    # another configured chain: the receipt's chain is not the trusted one
    apply_settings(page, {**trusted, "chain-id": str(chain.node.chain_id + 1)})
    found = check_files(page, receipt=receipt)
    assert found["verdict"] == "not_valid", found
    assert found["reason"] == "wrong_chain", found
    expect(page.locator("#settings-form legend")).to_have_text("Vertrauensanker")
