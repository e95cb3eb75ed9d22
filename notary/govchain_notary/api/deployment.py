"""Which chain and registries this notary anchors in: for the SDK and the web verifier."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from govchain_core.deployment import Deployment
from govchain_notary.settings import Settings

router = APIRouter(tags=["deployment"])


class DeploymentView(BaseModel):
    chain_id: int
    contracts: dict[str, str]
    rpc_url: str


class VerifierConfig(BaseModel):
    notary: str
    rpc: str
    chainId: int  # noqa: N815  (the web page's field name)
    registries: dict[str, str]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/v1/deployment", response_model=DeploymentView)
async def deployment(request: Request) -> dict[str, Any]:
    """The consortium deployment receipts from this notary are checked against."""
    settings = _settings(request)
    deployment = Deployment(
        settings.chain_id,
        settings.anchor_registry,
        settings.issuer_registry,
        settings.status_registry,
    )
    return {**deployment.to_object(), "rpc_url": settings.public_rpc_url or settings.rpc_url}


@router.get("/config.json", response_model=VerifierConfig, include_in_schema=False)
async def verifier_config(request: Request) -> dict[str, Any]:
    """The web verifier's ``config.json``: this notary and the node it should ask."""
    settings = _settings(request)
    return {
        "notary": "/",
        "rpc": settings.public_rpc_url or settings.rpc_url,
        "chainId": settings.chain_id,
        "registries": {
            name: address
            for name, address in (
                ("anchor", settings.anchor_registry),
                ("issuer", settings.issuer_registry),
                ("status", settings.status_registry),
            )
            if address
        },
    }
