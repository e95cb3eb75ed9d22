"""``POST /v1/status``: suspend, reinstate, revoke or supersede a document."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter

from govchain_notary.api.bodies import JsonBodyRoute
from govchain_notary.api.deps import ApiClient, Service
from govchain_notary.api.schemas import StatusRequest, StatusResponse
from govchain_notary.problems import problem_responses

router = APIRouter(prefix="/v1/status", tags=["status"], route_class=JsonBodyRoute)


@router.post(
    "",
    response_model=StatusResponse,
    responses=problem_responses(400, 401, 403, 404, 409, 422, 429, 502),
    summary="Change a document's status on chain",
)
async def change_status(body: StatusRequest, client: ApiClient, service: Service) -> dict[str, Any]:
    """Only the document's issuer, with scope ``status:<kind>``; revoke and supersede are final."""
    return await anyio.to_thread.run_sync(
        service.change_status, client, body.receipt_id, body.action, body.superseded_by
    )
