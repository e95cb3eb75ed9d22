"""``/docs`` and ``/redoc`` work offline: every asset comes from the notary itself.

They used to load Swagger UI from a CDN (blank without internet, and every visit
told to a third party).  The pages may reference only same-origin URLs, each of
them served; in real Chromium with every other origin blocked, Swagger UI renders
the operations.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Route, sync_playwright

from govchain_notary.app import create_app
from govchain_notary.settings import IssuerSettings, load_settings
from tests.integration.notary.conftest import ISSUER, make_api
from tests.integration.web.conftest import CHROMIUM, CHROMIUM_FLAGS


class References(HTMLParser):
    """Every URL a page loads: ``src`` and ``href`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_same_origin_assets_and_serve_them(
    sqlite_url: str, tmp_path: Path, page: str
) -> None:
    for api in make_api(sqlite_url, tmp_path):
        response = api.http.get(page)
        assert response.status_code == 200
        html = response.text
        assert "http://" not in html
        assert "https://" not in html
        assert "default-src 'self'" in response.headers["content-security-policy"]
        parser = References()
        parser.feed(html)
        assert len(parser.urls) >= 2, parser.urls  # script and style or favicon
        for url in parser.urls:
            assert url.startswith("/"), url
            assert not url.startswith("//"), url
            asset = api.http.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url
        assert "'/openapi.json'" in html or '"/openapi.json"' in html


@pytest.fixture
def notary_url(tmp_path: Path) -> Iterator[str]:
    settings = load_settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'notary.db'}",
        chain="memory",
        issuers=[IssuerSettings(address=ISSUER)],
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "the notary did not start"
            threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_swagger_ui_renders_with_every_other_origin_blocked(
    notary_url: str, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: apt-get install chromium")
    elsewhere: list[str] = []

    def only_the_notary(route: Route) -> None:
        if route.request.url.startswith(notary_url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            context.route("**/*", only_the_notary)
            page = context.new_page()
            page.goto(notary_url + "/docs")
            page.wait_for_selector(
                "#operations-digests-submit_digests_v1_digests_post", timeout=20_000
            )
            assert page.locator(".opblock").count() >= 10
        finally:
            context.close()
    assert elsewhere == []
