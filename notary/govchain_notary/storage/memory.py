"""In-memory fakes of the repositories, for unit tests (same contract as ``sql``)."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import replace

from govchain_core.receipt import AnchorRef
from govchain_core.tiles import MemoryTiles
from govchain_notary.errors import DuplicateError, StoreError
from govchain_notary.storage.repos import (
    ANCHORED,
    CheckpointRecord,
    ClientRecord,
    CommitBatch,
    DigestSlice,
    IdempotencyRecord,
    LeafRow,
    SubmissionRecord,
    digest_slices,
    submission_of,
)


class MemoryNotaryStore:
    """Every repository in dictionaries, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[int, ClientRecord] = {}
        self._submissions: dict[str, SubmissionRecord] = {}
        self._by_digest: dict[str, list[str]] = defaultdict(list)  # merged
        self._recent: dict[str, list[str]] = defaultdict(list)  # not yet merged
        self._by_position: dict[tuple[str, int], str] = {}
        self._idempotency: dict[tuple[int, str], IdempotencyRecord] = {}
        self._logs: dict[str, int] = {}
        self._tiles: dict[str, MemoryTiles] = defaultdict(MemoryTiles)
        self._checkpoints: dict[tuple[str, int], CheckpointRecord] = {}

    def close(self) -> None:
        pass

    def add_client(self, client: ClientRecord) -> ClientRecord:
        with self._lock:
            if any(c.name == client.name for c in self._clients.values()):
                raise DuplicateError(f"a client named {client.name!r} already exists")
            stored = replace(client, id=len(self._clients) + 1)
            self._clients[stored.id] = stored
            return stored

    def client_by_key_hash(self, key_hash: str) -> ClientRecord | None:
        with self._lock:
            return next((c for c in self._clients.values() if c.key_hash == key_hash), None)

    def list_clients(self) -> list[ClientRecord]:
        with self._lock:
            return sorted(self._clients.values(), key=lambda c: c.id)

    def revoke_client(self, name: str) -> bool:
        with self._lock:
            for client in self._clients.values():
                if client.name == name:
                    self._clients[client.id] = replace(client, revoked=True)
                    return True
            return False

    def commit(self, batch: CommitBatch) -> None:
        with self._lock:
            rows = _rows(batch)
            self._check_unique(batch, rows)
            for record in map(submission_of, rows):
                self._submissions[record.receipt_id] = record
                self._recent[record.digest].append(record.receipt_id)
                self._by_position[(record.issuer, record.log_index)] = record.receipt_id
            for issuer, tiles in batch.tiles.items():
                stored = self._tiles[issuer].tiles
                grown = {k: t for k, t in tiles.items() if len(t) > len(stored.get(k, b""))}
                interiors = batch.interiors.get(issuer, {})
                self._tiles[issuer].write_tiles(
                    grown, {k: interiors[k] for k in grown if k in interiors}
                )
            self._logs.update(batch.log_sizes)
            for answer in batch.idempotency:
                self._idempotency[(answer.client_id, answer.key)] = answer

    def _check_unique(self, batch: CommitBatch, rows: list[LeafRow]) -> None:
        positions = [(row[1], row[0]) for row in rows]
        if len(set(positions)) < len(positions) or any(
            position in self._by_position for position in positions
        ):
            raise StoreError("a leaf violates a unique constraint")
        for answer in batch.idempotency:
            if (answer.client_id, answer.key) in self._idempotency:
                raise StoreError("idempotency key already stored")

    def idempotency(self, client_id: int, key: str) -> IdempotencyRecord | None:
        with self._lock:
            return self._idempotency.get((client_id, key))

    def submission(self, receipt_id: str) -> SubmissionRecord | None:
        with self._lock:
            return self._submissions.get(receipt_id)

    def submissions_by_digest(self, digest: str, limit: int) -> list[SubmissionRecord]:
        with self._lock:
            ids = self._by_digest.get(digest, []) + self._recent.get(digest, [])
            found = [self._submissions[receipt_id] for receipt_id in ids]
        found.sort(key=lambda r: (r.created_at, r.issuer, r.log_index))  # as SQL orders them
        return found[:limit]

    def unmerged_digests(self) -> int:
        with self._lock:
            return sum(map(len, self._recent.values()))

    def digest_slices(self, slice_rows: int) -> list[DigestSlice]:
        return digest_slices(self.unmerged_digests(), slice_rows)

    def merge_digests(self, low: bytes, high: bytes | None) -> int:
        moved = 0
        with self._lock:
            for digest in sorted(self._recent):
                raw = bytes.fromhex(digest[7:])
                if raw >= low and (high is None or raw < high):
                    ids = self._recent.pop(digest)
                    self._by_digest[digest] += ids
                    moved += len(ids)
        return moved

    def receipts_by_digest(
        self, digest: str, limit: int
    ) -> list[tuple[SubmissionRecord, CheckpointRecord | None]]:
        return [
            (s, self.covering_checkpoint(s.issuer, s.log_index))
            for s in self.submissions_by_digest(digest, limit)
        ]

    def submission_at(self, issuer: str, log_index: int) -> SubmissionRecord | None:
        with self._lock:
            receipt_id = self._by_position.get((issuer, log_index))
            return self._submissions[receipt_id] if receipt_id else None

    def log_size(self, issuer: str) -> int:
        with self._lock:
            return self._logs.get(issuer, 0)

    def log_sizes(self) -> dict[str, int]:
        with self._lock:
            return dict(self._logs)

    def tile_reader(self, issuer: str, size: int) -> MemoryTiles:
        with self._lock:
            return self._tiles[issuer]

    def prepare_checkpoint(self, checkpoint: CheckpointRecord) -> None:
        with self._lock:
            self._checkpoints.setdefault((checkpoint.issuer, checkpoint.size), checkpoint)

    def mark_anchored(self, issuer: str, size: int, anchor: AnchorRef) -> None:
        with self._lock:
            current = self._checkpoints.get((issuer, size))
            if current is not None:
                self._checkpoints[(issuer, size)] = replace(current, state=ANCHORED, anchor=anchor)

    def checkpoint(self, issuer: str, size: int) -> CheckpointRecord | None:
        with self._lock:
            return self._checkpoints.get((issuer, size))

    def latest_anchored(self, issuer: str) -> CheckpointRecord | None:
        anchored = self._anchored(issuer)
        return anchored[-1] if anchored else None

    def covering_checkpoint(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        return next((c for c in self._anchored(issuer) if c.size > log_index), None)

    def anchored_checkpoints(
        self, issuer: str, limit: int, before: int | None = None
    ) -> list[CheckpointRecord]:
        anchored = [c for c in self._anchored(issuer) if before is None or c.size < before]
        return anchored[::-1][:limit]

    def discard_prepared(self, issuer: str, above: int) -> None:
        with self._lock:
            for key, record in list(self._checkpoints.items()):
                if key[0] == issuer and key[1] > above and record.state != ANCHORED:
                    del self._checkpoints[key]

    def _anchored(self, issuer: str) -> list[CheckpointRecord]:
        with self._lock:
            return sorted(
                (
                    c
                    for c in self._checkpoints.values()
                    if c.issuer == issuer and c.state == ANCHORED
                ),
                key=lambda c: c.size,
            )


def _rows(batch: CommitBatch) -> list[LeafRow]:
    return [row for block in batch.blocks for row in block.rows()]
