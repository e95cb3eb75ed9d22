"""The status index over SQL (SQLite or PostgreSQL): ``statuses.StatusIndexStore``.

Kept apart from ``sql`` (the receipts' repositories): the index is written by the
status follower and by status changes, read by lookups, and shares nothing with
the writer's group commit but the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, text

from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.storage.driver import driver_connections
from govchain_notary.storage.models import DocumentStatusRow, StatusSyncRow, table
from govchain_notary.storage.statuses import (
    StatusKey,
    StatusSync,
    newest_changes,
)

document_statuses = table(DocumentStatusRow)
status_sync = table(StatusSyncRow)


def _by_hashes(*names: str) -> Any:
    """A select of the named columns of the rows whose leaf hash is in ``hashes``."""
    in_list = document_statuses.c.leaf_hash.in_(bindparam("hashes", expanding=True))
    return select(*(document_statuses.c[name] for name in names)).where(in_list)


_POSITIONS_OF = _by_hashes("issuer", "leaf_hash", "block_number", "log_index")
# ``ON CONFLICT ... DO UPDATE ... WHERE`` reads the same on SQLite and PostgreSQL; the
# guard keeps the newer change when the follower and a status change race
_UPSERT_STATUS = text(
    "INSERT INTO document_statuses (issuer, leaf_hash, state, since, superseded_by, reason,"
    " block_number, log_index) VALUES (:issuer, :leaf_hash, :state, :since, :superseded_by,"
    " :reason, :block_number, :log_index) ON CONFLICT (issuer, leaf_hash) DO UPDATE SET"
    " state = excluded.state, since = excluded.since, superseded_by = excluded.superseded_by,"
    " reason = excluded.reason, block_number = excluded.block_number,"
    " log_index = excluded.log_index"
    " WHERE excluded.block_number > document_statuses.block_number"
    " OR (excluded.block_number = document_statuses.block_number"
    " AND excluded.log_index > document_statuses.log_index)"
)
_UPSERT_SYNC = text(
    "INSERT INTO status_sync (issuer, registry_address, block_number, synced_at)"
    " VALUES (:issuer, :registry, :block_number, :synced_at) ON CONFLICT (issuer) DO UPDATE SET"
    " registry_address = excluded.registry_address, block_number = excluded.block_number,"
    " synced_at = excluded.synced_at"
)
_VERSION = text(
    "SELECT count(*), coalesce(sum(block_number), 0), coalesce(sum(log_index), 0)"
    " FROM document_statuses"
)
_IN_CHUNK = 500


class SqlStatusIndex:
    """``statuses.StatusIndexStore`` over ``document_statuses`` and ``status_sync``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._driver = driver_connections(engine)

    def statuses(self, keys: Iterable[StatusKey]) -> dict[StatusKey, DocumentStatus]:
        """Read as driver SQL on a kept connection (``storage.driver``): every lookup
        the cache misses asks this."""
        wanted = set(keys)
        found: dict[StatusKey, DocumentStatus] = {}
        issuers = sorted({issuer for issuer, _ in wanted})
        hashes = sorted({leaf_hash for _, leaf_hash in wanted})
        for start in range(0, len(hashes), _IN_CHUNK):
            chunk = hashes[start : start + _IN_CHUNK]
            rows = self._driver.fetchall(
                self._status_of(len(issuers), len(chunk)), (*issuers, *chunk)
            )
            for issuer, leaf_hash, state, since, by, reason in rows:
                key = (issuer, bytes(leaf_hash))
                if key in wanted:
                    superseded_by = bytes(by) if by is not None else None
                    found[key] = DocumentStatus(
                        DocumentState(state), int(since), superseded_by, int(reason)
                    )
        return found

    def _status_of(self, issuers: int, hashes: int) -> str:
        """Both key columns constrained, so the primary key ``(issuer, leaf_hash)`` is
        sought, not scanned."""
        markers = self._driver.markers
        return (
            "SELECT issuer, leaf_hash, state, since, superseded_by, reason"  # noqa: S608 (markers)
            f" FROM document_statuses WHERE issuer IN ({markers(issuers)})"
            f" AND leaf_hash IN ({markers(hashes)})"
        )

    def apply(self, changes: Sequence[StatusChange], syncs: Mapping[str, StatusSync]) -> int:
        with self.engine.begin() as connection:
            stored = {
                (issuer, bytes(leaf_hash)): (int(block), int(index))
                for rows in _by_leaf_hash(connection, _POSITIONS_OF, {c.key for c in changes})
                for issuer, leaf_hash, block, index in rows
            }
            newer = newest_changes(changes, stored)
            if newer:
                connection.execute(_UPSERT_STATUS, [_status_row(change) for change in newer])
            if syncs:
                rows = [{"issuer": issuer, **sync._asdict()} for issuer, sync in syncs.items()]
                connection.execute(_UPSERT_SYNC, rows)
        return len(newer)

    def syncs(self) -> dict[str, StatusSync]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(status_sync))
            return {
                row.issuer: StatusSync(
                    row.registry_address, int(row.block_number), float(row.synced_at)
                )
                for row in rows
            }

    def version(self) -> tuple[int, int, int]:
        with self.engine.connect() as connection:
            count, blocks, indexes = connection.execute(_VERSION).one()
        return int(count), int(blocks), int(indexes)

    def reset(self, issuer: str, registry: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(document_statuses).where(document_statuses.c.issuer == issuer)
            )
            sync = {"registry": registry, "block_number": -1, "synced_at": 0.0}
            connection.execute(_UPSERT_SYNC, {"issuer": issuer, **sync})


def _by_leaf_hash(
    connection: Connection, statement: Any, keys: set[StatusKey]
) -> Iterator[Sequence[Any]]:
    """Run ``statement`` for the keys' leaf hashes, a bounded number per statement."""
    hashes = sorted({leaf_hash for _, leaf_hash in keys})
    for start in range(0, len(hashes), _IN_CHUNK):
        yield connection.execute(statement, {"hashes": hashes[start : start + _IN_CHUNK]}).all()


def _status_row(change: StatusChange) -> dict[str, Any]:
    status = change.status
    return {
        "issuer": change.issuer,
        "leaf_hash": change.leaf_hash,
        "state": int(status.state),
        "since": status.since,
        "superseded_by": status.superseded_by,
        "reason": status.reason,
        "block_number": change.block_number,
        "log_index": change.log_index,
    }
