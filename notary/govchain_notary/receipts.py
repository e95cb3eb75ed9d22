"""Receipts as the API shows them: pending (leaf + log position) or complete (receipt v1)."""

from __future__ import annotations

import json
from typing import Any

from govchain_core.leaf import leaf_from_object
from govchain_core.receipt import InclusionProof, Receipt
from govchain_core.receipt_codec import receipt_to_object
from govchain_core.tiles import tile_inclusion_proof
from govchain_core.verify import DocumentStatus
from govchain_notary.storage.repos import CheckpointRecord, ReceiptStore, SubmissionRecord

PENDING = "pending"
ANCHORED = "anchored"


def build_receipt(
    store: ReceiptStore, submission: SubmissionRecord, checkpoint: CheckpointRecord
) -> Receipt:
    """The complete receipt v1 of a submission whose leaf ``checkpoint`` covers."""
    assert checkpoint.anchor is not None, "only an anchored checkpoint makes a receipt"
    path = inclusion_path(store, submission, checkpoint)
    return Receipt(
        leaf=leaf_from_object(json.loads(submission.leaf_json)),
        proof=InclusionProof(submission.log_index, checkpoint.size, tuple(path), checkpoint.root),
        anchor=checkpoint.anchor,
    )


def inclusion_path(
    store: ReceiptStore, submission: SubmissionRecord, checkpoint: CheckpointRecord
) -> list[bytes]:
    """The inclusion proof of the submission's leaf in the checkpoint's tree."""
    tiles = store.tile_reader(submission.issuer, checkpoint.size)
    return tile_inclusion_proof(tiles, submission.log_index, checkpoint.size)


def receipt_view(
    store: ReceiptStore, submission: SubmissionRecord, checkpoint: CheckpointRecord | None
) -> dict[str, Any]:
    """``{"id", "status", "digest", "issuer", "log_index", "leaf"|"receipt"}``."""
    view: dict[str, Any] = {
        "id": submission.receipt_id,
        "digest": submission.digest,
        "kind": submission.kind,
        "issuer": submission.issuer,
        "log_index": submission.log_index,
        "leaf_hash": submission.leaf_hash.hex(),
    }
    if checkpoint is None:
        view["status"] = PENDING
        view["leaf"] = json.loads(submission.leaf_json)
    else:
        view["status"] = ANCHORED
        view["receipt"] = receipt_to_object(build_receipt(store, submission, checkpoint))
    if submission.description is not None:
        view["description"] = json.loads(submission.description)
    return view


def status_view(status: DocumentStatus) -> dict[str, Any]:
    return {
        "state": status.state.name.lower(),
        "since": status.since,
        "superseded_by": status.superseded_by.hex() if status.superseded_by else None,
    }
