"""Issuers, their checkpoints and consistency proofs (for auditors)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query

from govchain_notary.api.deps import PublicRead, Service
from govchain_notary.api.schemas import (
    ADDRESS_PATTERN,
    EXAMPLE_ISSUER,
    MAX_LOG_SIZE,
    CheckpointView,
    ConsistencyView,
    IssuerView,
)
from govchain_notary.problems import problem_responses

router = APIRouter(prefix="/v1/issuers", tags=["issuers"], dependencies=[PublicRead])

Address = Annotated[str, Path(pattern=ADDRESS_PATTERN, examples=[EXAMPLE_ISSUER])]


@router.get("", response_model=list[IssuerView], responses=problem_responses(429, 502))
async def list_issuers(service: Service) -> list[dict[str, Any]]:
    """The issuers in the on-chain IssuerRegistry."""
    return await anyio.to_thread.run_sync(service.list_issuers)


@router.get(
    "/{address}/checkpoints",
    response_model=list[CheckpointView],
    responses=problem_responses(404, 422, 429),
)
async def list_checkpoints(
    address: Address,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_LOG_SIZE, description="Only sizes below this")
    ] = None,
) -> list[dict[str, Any]]:
    """Anchored checkpoints, newest first."""
    return await anyio.to_thread.run_sync(service.checkpoints, address.lower(), limit, before)


@router.get(
    "/{address}/checkpoints/latest",
    response_model=CheckpointView,
    responses=problem_responses(404, 422, 429),
)
async def latest_checkpoint(address: Address, service: Service) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(service.latest_checkpoint, address.lower())


@router.get(
    "/{address}/consistency",
    response_model=ConsistencyView,
    response_model_by_alias=True,
    responses=problem_responses(400, 404, 422, 429),
)
async def consistency(
    address: Address,
    service: Service,
    first: Annotated[
        int, Query(alias="from", ge=1, le=MAX_LOG_SIZE, description="A size; at most `to`.")
    ],
    second: Annotated[int, Query(alias="to", ge=1, le=MAX_LOG_SIZE)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof between two anchored sizes of the issuer's log.

    Needs ``from <= to`` (else 400) and ``to`` at most the anchored size (else 404)."""
    return await anyio.to_thread.run_sync(service.consistency, address.lower(), first, second)
