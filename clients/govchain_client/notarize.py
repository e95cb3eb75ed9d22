"""Notarise files: hash locally, submit digests, save receipts beside the files.

Files never leave the machine, only their SHA-256.  The run is resumable: after the
notary acknowledges a batch, each file gets a ``<file>.govchain.pending`` marker with
its receipt id, written before anything else happens; a later run polls those ids
instead of submitting again, and skips files whose ``<file>.govchain.json`` is
complete.  Batches carry an idempotency key derived from their content, so even an
interruption between the acknowledgement and the markers cannot notarise twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from govchain_client.errors import PendingMarkerError
from govchain_client.notary import MAX_BATCH, ReceiptState, Submission
from govchain_core import bounded_json
from govchain_core.digest import Digest, digest_file
from govchain_core.receipt_codec import encode_receipt

RECEIPT_SUFFIX = ".govchain.json"
PENDING_SUFFIX = ".govchain.pending"
MAX_MARKER_BYTES = 4096
_RECEIPT_ID = re.compile(r"\A[A-Za-z0-9_-]{1,128}\Z")


class Notary(Protocol):
    """The part of ``NotaryClient`` that notarising files needs."""

    def submit(
        self,
        kind: str,
        digests: Sequence[Digest | str],
        *,
        idempotency_key: str | None = None,
        wait: float = 0,
        meta: Digest | str | None = None,
        description: Mapping[str, str] | None = None,
    ) -> Submission: ...

    def receipt(self, receipt_id: str) -> ReceiptState: ...


def receipt_path(path: Path) -> Path:
    return path.with_name(path.name + RECEIPT_SUFFIX)


def pending_path(path: Path) -> Path:
    return path.with_name(path.name + PENDING_SUFFIX)


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files under directories named, minus govchain's own files."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found.extend(
            p
            for p in candidates
            if not p.name.endswith((RECEIPT_SUFFIX, PENDING_SUFFIX)) and not p.name.startswith(".")
        )
    return found


@dataclass
class Outcome:
    done: list[Path]
    pending: list[Path]
    skipped: list[Path]


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def batch_key(kind: str, digests: list[Digest]) -> str:
    text = kind + "\n" + "\n".join(str(d) for d in digests)
    return "notarize-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def hash_files(
    files: list[Path], concurrency: int, progress: Callable[[int], None]
) -> Iterator[tuple[Path, Digest]]:
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for path, digest in zip(files, pool.map(digest_file, files), strict=True):
            progress(1)
            yield path, digest


def notarize(
    client: Notary,
    files: list[Path],
    kind: str,
    *,
    wait: float = 60.0,
    concurrency: int = 4,
    progress: Callable[[int], None] = lambda _: None,
    description: Mapping[str, str] | None = None,
) -> Outcome:
    outcome = Outcome([], [], [])
    todo = []
    for path in files:
        if receipt_path(path).exists():
            outcome.skipped.append(path)
        elif not pending_path(path).exists():
            todo.append(path)
    hashed = list(hash_files(todo, concurrency, progress))
    for start in range(0, len(hashed), MAX_BATCH):
        batch = hashed[start : start + MAX_BATCH]
        digests = [d for _, d in batch]
        submission = client.submit(
            kind, digests, idempotency_key=batch_key(kind, digests), description=description
        )
        for (path, digest), receipt_id in zip(batch, submission.receipt_ids, strict=True):
            marker = {"receipt_id": receipt_id, "digest": str(digest), "kind": kind}
            write_atomically(pending_path(path), json.dumps(marker).encode())
    _collect_receipts(client, files, wait, outcome)
    return outcome


def read_marker(path: Path) -> str:
    """The receipt id in a pending marker (a small JSON object, parsed bounded)."""
    try:
        marker = bounded_json.loads(path.read_bytes(), max_bytes=MAX_MARKER_BYTES, max_depth=2)
    except OSError as exc:
        raise PendingMarkerError(path, exc.strerror or str(exc)) from None
    except ValueError as exc:  # JsonLimitError, JSONDecodeError, UnicodeDecodeError
        raise PendingMarkerError(path, f"not a pending marker: {exc}") from None
    receipt_id = marker.get("receipt_id") if isinstance(marker, dict) else None
    if not isinstance(receipt_id, str) or not _RECEIPT_ID.match(receipt_id):
        raise PendingMarkerError(path, "not a pending marker: no valid receipt_id")
    return receipt_id


def _collect_receipts(client: Notary, files: list[Path], wait: float, outcome: Outcome) -> None:
    waiting = [p for p in files if pending_path(p).exists()]
    deadline = time.monotonic() + wait
    delay = 0.2
    while waiting:
        still = []
        for path in waiting:
            state = client.receipt(read_marker(pending_path(path)))
            receipt = state.receipt
            if receipt is None:
                still.append(path)
                continue
            write_atomically(receipt_path(path), encode_receipt(receipt))
            pending_path(path).unlink()
            outcome.done.append(path)
        waiting = still
        if not waiting or time.monotonic() >= deadline:
            break
        time.sleep(delay)
        delay = min(2.0, delay * 1.5)
    outcome.pending.extend(waiting)
