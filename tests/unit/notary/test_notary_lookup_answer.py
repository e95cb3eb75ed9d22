"""The lookup answer written as bytes says what the dict of ``receipt_view`` entries said.

The reference is the rendering the notary used before (``receipt_view`` and
``status_view`` per receipt, ``json.dumps`` of the whole).  The two must be equal as
JSON, and equal byte for byte but for the leaf inside an anchored receipt, which
the new rendering writes in RFC 8785 key order.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from govchain_core.leaf import leaf_from_object
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import tile_root
from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.log_store import WriterLogs
from govchain_notary.lookup_answer import LookupEntry, lookup_answer
from govchain_notary.receipts import inclusion_path, receipt_view, status_view
from govchain_notary.storage.memory import MemoryNotaryStore
from govchain_notary.storage.repos import PREPARED, CheckpointRecord, CommitBatch, LeafBlock
from govchain_notary.storage.statuses import NEVER_CHANGED
from govchain_notary.submissions import Item, item, prepare_leaves, with_descriptions

ISSUER = "0x" + "d0" * 20
OTHER = "0x" + "e0" * 20
DIGEST = "sha256:" + "ab" * 32
ANCHOR = AnchorRef(1337, "0x" + "7a" * 20, bytes(range(32)), 42, bytes(range(1, 33)), 1_700_000_000)
DESCRIPTION = {"title": "Zeugnis Müßig", "nonce": "5e" * 16}
REVOKED = DocumentStatus(DocumentState.SUPERSEDED, 1_700_000_100, bytes([7]) * 32, 3)


def _store(anchored_size: int) -> MemoryNotaryStore:
    """Leaves of ``DIGEST`` between other digests, of two issuers, the first
    ``anchored_size`` of each anchored: plain, with meta, with device and seq, and
    with a description holding non-ASCII text."""
    store = MemoryNotaryStore()
    logs = WriterLogs(store, [ISSUER, OTHER])
    described = with_descriptions([{"digest": DIGEST, "description": DESCRIPTION}])
    variants: list[list[Item]] = [
        [item(DIGEST)],
        [item(DIGEST, meta="sha256:" + "cd" * 32)],
        [item(DIGEST, device='sensor"7"\\a/b', seq=9)],
        list(described),
    ]
    for issuer in (ISSUER, OTHER):
        for n, items in enumerate(variants):
            filler = [item(f"sha256:{n:064x}")]
            for batch in (filler, items):
                leaves = prepare_leaves("certificate", issuer, batch)
                first = logs.append(issuer, leaves.leaf_hashes)
                block = LeafBlock(issuer, first, 1, time.time(), leaves)
                store.commit(
                    CommitBatch(
                        [block],
                        logs.take_tiles(),
                        {issuer: logs.size(issuer)},
                        [],
                        logs.take_interiors(),
                    )
                )
        record = CheckpointRecord(
            issuer,
            anchored_size,
            tile_root(store.tile_reader(issuer, anchored_size), anchored_size),
            0,
            PREPARED,
            1,
        )
        store.prepare_checkpoint(record)
        store.mark_anchored(issuer, anchored_size, ANCHOR)
    return store


def _entries(store: MemoryNotaryStore) -> list[LookupEntry]:
    entries = []
    for n, submission in enumerate(store.submissions_by_digest(DIGEST, 100)):
        checkpoint = store.covering_checkpoint(submission.issuer, submission.log_index)
        path = inclusion_path(store, submission, checkpoint) if checkpoint else []
        entries.append(
            LookupEntry(submission, checkpoint, path, REVOKED if n % 2 else NEVER_CHANGED)
        )
    return entries


def _dict_rendering(
    store: MemoryNotaryStore, entries: list[LookupEntry], as_of: dict[str, Any] | None
) -> bytes:
    """The answer as the notary rendered it before."""
    receipts = []
    for entry in entries:
        view = receipt_view(store, entry.submission, entry.checkpoint)
        view["document_status"] = status_view(entry.status)
        receipts.append(view)
    answer: dict[str, Any] = {"digest": DIGEST, "receipts": receipts}
    if as_of is not None:
        answer["status_as_of"] = as_of
    return json.dumps(answer, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    "as_of",
    [
        None,
        {"block_number": 12, "synced_at": None},
        {"block_number": 0, "synced_at": 1_700_000_000},
    ],
)
@pytest.mark.parametrize("anchored_size", [2, 8])
def test_written_answer_equals_the_dict_rendering(
    anchored_size: int, as_of: dict[str, Any] | None
) -> None:
    store = _store(anchored_size)
    entries = _entries(store)
    states = {entry.checkpoint is not None for entry in entries}
    assert len(entries) == 8
    assert states == ({True, False} if anchored_size == 2 else {True})
    described = [e.submission.description for e in entries if e.submission.description]
    assert [json.loads(text) for text in described] == [DESCRIPTION, DESCRIPTION]
    written = lookup_answer(DIGEST, entries, as_of)
    before = _dict_rendering(store, entries, as_of)
    assert json.loads(written) == json.loads(before)
    expected = before
    for entry in entries:
        if entry.checkpoint is not None:  # the one difference: the leaf's key order
            leaf = json.loads(entry.submission.leaf_json)
            as_object = json.dumps(leaf_from_object(leaf).to_object(), separators=(",", ":"))
            expected = expected.replace(as_object.encode(), entry.submission.leaf_json.encode())
    assert written == expected
