"""Helpers that drive the web verifier page in the browser tests."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import FilePayload, Page, expect

from tests.integration.web.conftest import PageProbe
from tests.integration.web.servers import StaticSite

GERMAN_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
TIMEOUT = 20_000


def open_page(probe: PageProbe, site: StaticSite, fragment: str = "") -> Page:
    page = probe.page
    page.goto(f"{site.url}/{fragment}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=TIMEOUT)
    return page


def choose(
    page: Page, selector: str, name: str, data: bytes, mime: str = "application/octet-stream"
) -> None:
    payload: FilePayload = {"name": name, "mimeType": mime, "buffer": data}
    page.set_input_files(selector, files=[payload])


VERDICTS = ("pending", "valid", "not_valid", "could_not_check", "record_only")
FINAL_VERDICTS = VERDICTS[1:]


def verdict(page: Page, expected: str) -> None:
    """Wait until the overall verdict (``#verdict[data-verdict]``) is ``expected``."""
    assert expected in VERDICTS, expected
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", expected, timeout=TIMEOUT)


def verdict_reason(page: Page) -> str:
    """The stable code of the reason behind the verdict shown (``data-reason``)."""
    return str(page.locator("#verdict").get_attribute("data-reason"))


def runs(page: Page) -> int:
    """How many input changes the page has seen (``data-run`` of the verdict)."""
    return int(page.locator("#verdict").get_attribute("data-run") or 0)


def final_verdict(page: Page, after: int, timeout: float = TIMEOUT) -> dict[str, str]:
    """Wait for a final verdict of a run later than ``after``; its verdict, reason and digest."""
    page.wait_for_function(
        """([after, finals]) => {
            const e = document.getElementById('verdict');
            return Number(e.dataset.run) > after && finals.includes(e.dataset.verdict);
        }""",
        arg=[after, list(FINAL_VERDICTS)],
        timeout=timeout,
    )
    found: dict[str, str] = page.evaluate(
        "(() => { const e = document.getElementById('verdict');"
        " return {verdict: e.dataset.verdict, reason: e.dataset.reason, for: e.dataset.for,"
        " text: e.textContent}; })()"
    )
    return found


def check_files(
    page: Page,
    receipt: bytes | None = None,
    document: bytes | None = None,
    timeout: float = TIMEOUT,
) -> dict[str, str]:
    """Choose a receipt and/or a document file and wait for the final verdict for them."""
    before = runs(page)
    changes = 0
    if receipt is not None:
        choose(page, "#receipt-input", "quittung.govchain.json", receipt, "application/json")
        changes += 1
    if document is not None:
        choose(page, "#document-input", "dokument.pdf", document)
        changes += 1
    # each file chosen is one input change; wait for the run of the last one
    return final_verdict(page, before + changes - 1, timeout)


def step_statuses(page: Page, scope: str) -> list[str]:
    return [
        str(s)
        for s in page.locator(f"{scope} .step").evaluate_all(
            "els => els.map(e => e.dataset.status)"
        )
    ]


def german_date(timestamp: int) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone(ZoneInfo("Europe/Berlin"))
    return f"{moment.day}. {GERMAN_MONTHS[moment.month - 1]} {moment.year}"
