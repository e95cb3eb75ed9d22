"""``POST /v1/digests`` (submit) and ``GET /v1/digests/{digest}`` (public lookup)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Response

from govchain_notary.api.deps import ApiClient, PublicRead, Service
from govchain_notary.api.schemas import (
    DIGEST_PATTERN,
    EXAMPLE_DIGEST,
    LookupResponse,
    SubmitRequest,
    SubmitResponse,
)
from govchain_notary.errors import UnprocessableError
from govchain_notary.problems import problem_responses
from govchain_notary.service import Item, fingerprint_of, require_scope

router = APIRouter(prefix="/v1/digests", tags=["digests"])


def _items(body: SubmitRequest) -> list[Item]:
    if body.items is None:
        assert body.digest is not None
        return [Item(body.digest, body.meta, body.device, body.seq)]
    items = [Item(i["digest"], i.get("meta"), i.get("device"), i.get("seq")) for i in body.items]
    for position, item in enumerate(items):
        if (item.device is None) != (item.seq is None):
            raise UnprocessableError(f"items[{position}]: device and seq go together")
    return items


@router.post(
    "",
    status_code=202,
    response_model=SubmitResponse,
    responses={
        200: {"description": "Anchored within `wait` seconds", "model": SubmitResponse},
        **problem_responses(400, 401, 403, 409, 413, 422, 429, 503),
    },
    summary="Notarise one digest or a batch",
)
async def submit_digests(
    body: SubmitRequest,
    client: ApiClient,
    service: Service,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=255, pattern=r"^[\x21-\x7e]+$",
               description="Makes retries safe: the same key and body get the same receipts."),
    ] = None,
    wait: Annotated[
        float, Query(ge=0, le=300, description="Seconds to wait until anchored (long-poll).")
    ] = 0,
) -> dict[str, Any]:
    """Accept digests durably (``202`` only after the database commit).

    With ``wait``, answer ``200`` once every digest is anchored, or ``202`` at the end
    of the wait.  ``503`` with ``Retry-After`` when too many digests await anchoring.
    """
    require_scope(client, "submit", body.kind)
    items = _items(body)
    fingerprint = fingerprint_of(body.kind, items) if idempotency_key else ""
    accepted = await service.submit(client, body.kind, items, idempotency_key, fingerprint)
    anchored = False
    if wait > 0:
        timeout = min(wait, service.settings.max_wait)
        anchored = await service.wait_anchored(client.issuer, accepted, timeout)
    if anchored:
        response.status_code = 200
    return {
        "status": "anchored" if anchored else "pending",
        "issuer": client.issuer,
        "kind": body.kind,
        "count": len(accepted.receipt_ids),
        "receipts": [
            {"id": rid, "digest": item.digest, "url": f"/v1/receipts/{rid}"}
            for rid, item in zip(accepted.receipt_ids, items, strict=True)
        ],
    }


@router.get(
    "/{digest}",
    response_model=LookupResponse,
    response_model_exclude_none=True,
    responses=problem_responses(404, 422, 429),
    dependencies=[PublicRead],
    summary="Every receipt of a digest and the document's current status",
)
async def lookup_digest(
    digest: Annotated[str, Path(pattern=DIGEST_PATTERN, examples=[EXAMPLE_DIGEST])],
    service: Service,
) -> Response:
    """Public: used by the web verifier.  The document itself never leaves the user."""
    body = service.lookups.get(digest)
    if body is None:
        body = await anyio.to_thread.run_sync(service.lookup_json, digest)
    return Response(body, media_type="application/json")
