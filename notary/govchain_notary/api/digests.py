"""``POST /v1/digests`` (submit) and ``GET /v1/digests/{digest}`` (public lookup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, cast

from fastapi import APIRouter, BackgroundTasks, Header, Path, Query, Response

from govchain_notary.api.bodies import JsonBodyRoute
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
from govchain_notary.service import require_scope
from govchain_notary.submissions import Item, fingerprint_of, item, with_descriptions

router = APIRouter(prefix="/v1/digests", tags=["digests"], route_class=JsonBodyRoute)


def _items(body: SubmitRequest) -> tuple[Sequence[Item], bool]:
    """The request's items, and whether any has a description (found in the pass that
    checks device/seq: a plain batch of 10,000 is not scanned again)."""
    if body.items is None:
        assert body.digest is not None
        single = item(body.digest, body.meta, body.device, body.seq, body.description)
        return [single], body.description is not None
    described = False
    for position, entry in enumerate(body.items):
        if len(entry) > 1:
            if ("device" in entry) != ("seq" in entry):
                raise UnprocessableError(f"items[{position}]: device and seq go together")
            described = described or "description" in entry
    return cast(Sequence[Item], body.items), described


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
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes retries safe: the same key and body get the same receipts.",
        ),
    ] = None,
    wait: Annotated[
        float, Query(ge=0, le=300, description="Seconds to wait until anchored (long-poll).")
    ] = 0,
) -> Response:
    """Accept digests durably (``202`` only after the database commit).

    With ``wait``, answer ``200`` once every digest is anchored, or ``202`` at the end
    of the wait.  ``503`` with ``Retry-After`` when too many digests await anchoring.
    """
    require_scope(client, "submit", body.kind)
    items, described = _items(body)
    fingerprint = fingerprint_of(body.kind, items) if idempotency_key else ""
    if described:
        items = with_descriptions(items)
    accepted = await service.submit(client, body.kind, items, idempotency_key, fingerprint)
    anchored = False
    if wait > 0:
        timeout = min(wait, service.settings.max_wait)
        anchored = await service.wait_anchored(client.issuer, accepted, timeout)
    return Response(
        _submit_answer(
            "anchored" if anchored else "pending",
            client.issuer,
            body.kind,
            accepted.receipt_ids,
            items,
        ),
        status_code=200 if anchored else 202,
        media_type="application/json",
    )


def _submit_answer(
    status: str, issuer: str, kind: str, receipt_ids: Sequence[str], items: Sequence[Item]
) -> bytes:
    """The ``SubmitResponse`` JSON, written directly: for 10,000 receipts, validating and
    serialising through the response model costs more than the database commit.  Every
    value is validated hex or one of our literals, so no escaping is needed."""
    refs = ",".join(
        f'{{"id":"{rid}","digest":"{entry["digest"]}","url":"/v1/receipts/{rid}"}}'
        for rid, entry in zip(receipt_ids, items, strict=True)
    )
    return (
        f'{{"status":"{status}","issuer":"{issuer}","kind":"{kind}",'
        f'"count":{len(receipt_ids)},"receipts":[{refs}]}}'
    ).encode()


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
    background: BackgroundTasks,
) -> Response:
    """Public: used by the web verifier.  The document itself never leaves the user.

    Document statuses come from the notary's index of the StatusRegistry's changes,
    not from a chain call: a change made through this notary shows at once, one made
    on chain by anyone else within about one block period; ``status_as_of`` tells up
    to which block the index is complete and when it last reached the chain's head.
    ``POST /v1/verify`` reads the status from the chain itself."""
    body, refresh = await service.lookup_answer(digest)
    if refresh:  # served now, refreshed after the response on a worker thread
        background.add_task(service.refresh_lookup, digest)
    return Response(body, media_type="application/json")
