"""``POST /v1/verify``: the four verification steps, each reported."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter

from govchain_notary.api.bodies import JsonBodyRoute
from govchain_notary.api.deps import PublicRead, Service
from govchain_notary.api.schemas import VerifyRequest, VerifyResponse
from govchain_notary.problems import problem_responses

router = APIRouter(prefix="/v1/verify", tags=["verify"], route_class=JsonBodyRoute)


@router.post(
    "",
    response_model=VerifyResponse,
    responses=problem_responses(400, 422, 429),
    dependencies=[PublicRead],
    summary="Verify a receipt against the chain",
)
async def verify(body: VerifyRequest, service: Service) -> dict[str, Any]:
    """Format, inclusion, anchor, issuer and status; a failed step skips the later ones.

    Anybody can run the same checks against any consortium node without this notary.
    """
    return await anyio.to_thread.run_sync(service.verify, body.receipt, body.document_digest)
