"""The status index's storage: each document's current status as the chain reported it.

The StatusRegistry keys a status by ``(issuer, leaf hash)`` and emits
``StatusChanged`` for every change; the status follower (``status_follower``)
copies those changes into the notary's database so that public lookups never ask
the chain.  A row exists only for a document whose status changed at least once;
no row means the contract's answer for a never-changed leaf, ``valid`` since 0.

Every row remembers the chain position ``(block, log index)`` of the change it
holds, and a change is applied only when it comes later than that position.  So
replaying a range of blocks (after a restart the follower resumes at its
checkpoint, which may repeat the last range) and racing writers (the follower and
the notary's own status change) always leave the newest status.  The notary's own
change is recorded at ``END_OF_BLOCK`` of its transaction's block: it writes the
status it read back from the chain after the transaction, which includes every
change of that block.

Per issuer, a sync row records the StatusRegistry followed, the last block whose
changes are applied and when the follower last reached the chain's head.  This
module holds the interface and the in-memory fake; ``statuses_sql`` the SQL adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple, Protocol

from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.anchorers.base import StatusChange

END_OF_BLOCK = 2**31 - 1
"""Log index of a status read back after a transaction: after every log of its block."""

NEVER_CHANGED = DocumentStatus(DocumentState.VALID)
"""What the StatusRegistry reports for a leaf whose status never changed."""

StatusKey = tuple[str, bytes]
"""``(issuer address, leaf hash)``, as the StatusRegistry keys a status."""


class StatusSync(NamedTuple):
    """How far the index follows one issuer's statuses in one StatusRegistry."""

    registry: str
    block_number: int  # the last block whose changes are applied; -1 before any
    synced_at: float  # unix time the follower last reached the chain's head; 0 never


class StatusIndexStore(Protocol):
    def statuses(self, keys: Iterable[StatusKey]) -> dict[StatusKey, DocumentStatus]:
        """The indexed status of each key that has a row (the others never changed)."""
        ...

    def apply(self, changes: Sequence[StatusChange], syncs: Mapping[str, StatusSync]) -> int:
        """Record ``changes`` (in chain order) where they are newer than the stored ones
        and set the issuers' sync rows, in one transaction; return how many rows changed."""
        ...

    def syncs(self) -> dict[str, StatusSync]:
        """Every issuer's sync row."""
        ...

    def reset(self, issuer: str, registry: str) -> None:
        """Forget the issuer's statuses and follow ``registry`` from block 0."""
        ...

    def version(self) -> tuple[int, int, int]:
        """Changes whenever a row is added, moved to a newer change or deleted: the row
        count and the sums of the rows' block numbers and log indexes (``apply`` only
        ever moves a row to a later position).  Read replicas poll it."""
        ...


def newest_changes(
    changes: Sequence[StatusChange], stored: Mapping[StatusKey, tuple[int, int]]
) -> list[StatusChange]:
    """The last change of each key, where it is later than the stored position."""
    last = {change.key: change for change in changes}
    return [
        change for key, change in last.items() if key not in stored or change.position > stored[key]
    ]


class MemoryStatusIndex:
    """``StatusIndexStore`` in dictionaries (same contract as the SQL one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[StatusKey, tuple[DocumentStatus, tuple[int, int]]] = {}
        self._syncs: dict[str, StatusSync] = {}

    def statuses(self, keys: Iterable[StatusKey]) -> dict[StatusKey, DocumentStatus]:
        with self._lock:
            return {key: self._rows[key][0] for key in keys if key in self._rows}

    def apply(self, changes: Sequence[StatusChange], syncs: Mapping[str, StatusSync]) -> int:
        with self._lock:
            stored = {key: row[1] for key, row in self._rows.items()}
            newer = newest_changes(changes, stored)
            for change in newer:
                self._rows[change.key] = (change.status, change.position)
            self._syncs.update(syncs)
            return len(newer)

    def syncs(self) -> dict[str, StatusSync]:
        with self._lock:
            return dict(self._syncs)

    def reset(self, issuer: str, registry: str) -> None:
        with self._lock:
            for key in [key for key in self._rows if key[0] == issuer]:
                del self._rows[key]
            self._syncs[issuer] = StatusSync(registry, -1, 0.0)

    def version(self) -> tuple[int, int, int]:
        with self._lock:
            positions = [row[1] for row in self._rows.values()]
        return (len(positions), sum(b for b, _ in positions), sum(i for _, i in positions))
