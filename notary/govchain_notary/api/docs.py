"""``/docs`` (Swagger UI) and ``/redoc``, with every asset served by the notary itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: without internet the docs
are blank, and each visit is told to a third party.  The assets come instead from
the pinned ``fastapi-offline`` package (Swagger UI 5 and ReDoc 2, see pyproject.toml)
and are served under ``/docs/assets/``; a Content-Security-Policy keeps the pages to
their own origin, so a forgotten external reference fails visibly instead of leaking.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"

#: Same origin only; the pages' small inline start-up scripts are the exception.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets (call before anything is mounted at ``/``;
    the app is built with ``docs_url=None, redoc_url=None``)."""
    title = f"{app.title} — API"
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            # Swagger UI would otherwise send the document to validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = CSP
        return page

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = CSP
        return page
