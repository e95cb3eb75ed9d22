"""ASGI entry for uvicorn: ``uvicorn --factory govchain_notary.asgi:app_from_env``."""

from __future__ import annotations

from fastapi import FastAPI

from govchain_notary.app import create_app
from govchain_notary.logs import configure_logging
from govchain_notary.settings import load_settings


def app_from_env() -> FastAPI:
    """Build the app from ``GOVCHAIN_NOTARY_*`` variables and the optional config file."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
