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


def verdict(page: Page, expected: str) -> None:
    expect(page.locator("#summary")).to_have_attribute("data-verdict", expected, timeout=TIMEOUT)


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
