"""The public lookup's answer (``GET /v1/digests/{d}``), written as JSON bytes.

It used to be a dict of ``receipts.receipt_view`` entries given to ``json.dumps``:
for an anchored receipt the stored leaf JSON was parsed, rebuilt into a validated
``LeafRecord``, turned back into a dict and serialised again, on every lookup miss.
Here the stored leaf bytes, RFC 8785 already (``SubmissionRecord.leaf_json``),
go into the answer as they are, and the rest is written directly: numbers and hex
are ours; strings read from the database go through ``json``'s own string encoder.

The answer means what the dict's did, key for key (``tests/unit/notary/
test_notary_lookup_answer.py`` holds the two equal).  Its bytes are the same but
for the leaf inside an anchored receipt, whose keys now come in RFC 8785 order,
as in the pending leaf and in a receipt file.  A description is still parsed and
serialised, as ``json.dumps`` writes it (non-ASCII escaped): it is rare.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii as _string
from typing import Any, NamedTuple

from govchain_core.receipt import PROOF_ALGORITHM, RECEIPT_TYPE, RECEIPT_VERSION
from govchain_core.verify import DocumentStatus
from govchain_notary.storage.repos import CheckpointRecord, SubmissionRecord

_RECEIPT_HEAD = f'{{"type":{_string(RECEIPT_TYPE)},"version":{_string(RECEIPT_VERSION)},"leaf":'
_PROOF_HEAD = f',"proof":{{"algorithm":{_string(PROOF_ALGORITHM)},"index":'


class LookupEntry(NamedTuple):
    """One receipt of the answer: pending while ``checkpoint`` is None, else anchored
    there with the inclusion ``path``."""

    submission: SubmissionRecord
    checkpoint: CheckpointRecord | None
    path: Sequence[bytes]
    status: DocumentStatus


def lookup_answer(
    digest: str, entries: Sequence[LookupEntry], status_as_of: dict[str, Any] | None
) -> bytes:
    """``{"digest", "receipts": [...], "status_as_of"?}`` as compact JSON bytes."""
    receipts = ",".join(map(_entry, entries))
    tail = "" if status_as_of is None else f',"status_as_of":{_as_of(status_as_of)}'
    return f'{{"digest":{_string(digest)},"receipts":[{receipts}]{tail}}}'.encode()


def _entry(entry: LookupEntry) -> str:
    s = entry.submission
    head = (
        f'{{"id":{_string(s.receipt_id)},"digest":{_string(s.digest)},"kind":{_string(s.kind)},'
        f'"issuer":{_string(s.issuer)},"log_index":{s.log_index},'
        f'"leaf_hash":"{s.leaf_hash.hex()}",'
    )
    if entry.checkpoint is None:
        body = f'"status":"pending","leaf":{s.leaf_json}'
    else:
        body = f'"status":"anchored","receipt":{_receipt(s, entry.checkpoint, entry.path)}'
    if s.description is not None:
        body += ',"description":' + json.dumps(json.loads(s.description), separators=(",", ":"))
    return f'{head}{body},"document_status":{_status(entry.status)}}}'


def _receipt(s: SubmissionRecord, checkpoint: CheckpointRecord, path: Sequence[bytes]) -> str:
    """As ``receipt_codec.receipt_to_object`` writes a receipt v1."""
    anchor = checkpoint.anchor
    assert anchor is not None, "only an anchored checkpoint makes a receipt"
    hashes = ",".join([f'"{node.hex()}"' for node in path])
    return (
        f"{_RECEIPT_HEAD}{s.leaf_json}{_PROOF_HEAD}{s.log_index},"
        f'"tree_size":{checkpoint.size},"path":[{hashes}],"root":"{checkpoint.root.hex()}"}},'
        f'"anchor":{{"chain_id":{anchor.chain_id},"registry":{_string(anchor.registry)},'
        f'"tx_hash":"0x{anchor.tx_hash.hex()}","block_number":{anchor.block_number},'
        f'"block_hash":"0x{anchor.block_hash.hex()}","timestamp":{anchor.timestamp}}}}}'
    )


def _status(status: DocumentStatus) -> str:
    """As ``receipts.status_view`` shows a document status."""
    by = "null" if status.superseded_by is None else f'"{status.superseded_by.hex()}"'
    return f'{{"state":"{status.state.name.lower()}","since":{status.since},"superseded_by":{by}}}'


def _as_of(as_of: dict[str, Any]) -> str:
    synced = as_of["synced_at"]
    return (
        f'{{"block_number":{as_of["block_number"]},'
        f'"synced_at":{"null" if synced is None else synced}}}'
    )
