"""``GET /v1/receipts/{id}``: a pending or complete receipt."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path

from govchain_notary.api.deps import PublicRead, Service
from govchain_notary.api.schemas import EXAMPLE_ID, RECEIPT_ID_PATTERN, ReceiptView
from govchain_notary.problems import problem_responses

router = APIRouter(prefix="/v1/receipts", tags=["receipts"])


@router.get(
    "/{receipt_id}",
    response_model=ReceiptView,
    response_model_exclude_none=True,
    responses=problem_responses(404, 422, 429),
    dependencies=[PublicRead],
    summary="A receipt by id: pending, or complete receipt v1",
)
async def get_receipt(
    receipt_id: Annotated[str, Path(pattern=RECEIPT_ID_PATTERN, examples=[EXAMPLE_ID])],
    service: Service,
) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(service.receipt, receipt_id)
