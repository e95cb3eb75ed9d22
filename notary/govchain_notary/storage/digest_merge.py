"""Digest lookups without a digest index on ``leaves``: the SQL of the two-level index.

A group commit copies its leaves' digests into ``recent_digests`` (one
``INSERT ... SELECT`` per issuer, from the rows it has just written, so nothing
passes through Python).  That table stays small, so its pages stay in the cache and a
commit of thousands of digests dirties at most all of its few hundred pages, where an
index over every leaf costs about one page per digest.  The digest indexer then
moves ``recent_digests`` into ``digest_index`` slice by slice: each slice is a range
of digests, copied in digest order and deleted from ``recent_digests`` in one
transaction, so every committed digest is in exactly one of the two tables at every
moment, a lookup (one statement, one snapshot) probes both, and a crash at any point
loses nothing.  Slicing by digest range keeps each transaction short (on SQLite it
holds the write lock the group commit waits for) while each slice still writes its
part of ``digest_index`` page by page, as one sorted run over all slices would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Connection

from govchain_notary.storage.repos import LeafBlock

_RECENT_FROM_LEAVES = (
    "INSERT INTO recent_digests (digest, issuer_id, log_index) "
    "SELECT digest, issuer_id, log_index FROM leaves "
    "WHERE log_index >= {m} AND log_index < {m} AND issuer_id = {m}"
)
_SLICE = "digest >= {m}"
_SLICE_BELOW = "digest >= {m} AND digest < {m}"
_COPY = (
    "INSERT INTO digest_index (digest, issuer_id, log_index) "
    "SELECT digest, issuer_id, log_index FROM recent_digests WHERE {where} "
    "ORDER BY digest, issuer_id, log_index"
)
_DELETE = "DELETE FROM recent_digests WHERE {where}"
_MOVE_POSTGRES = (
    "WITH moved AS (DELETE FROM recent_digests WHERE {where} "
    "RETURNING digest, issuer_id, log_index) "
    "INSERT INTO digest_index (digest, issuer_id, log_index) "
    "SELECT digest, issuer_id, log_index FROM moved ORDER BY digest, issuer_id, log_index"
)

DIGEST_KEYS_SQL = (
    "SELECT issuer_id, log_index FROM digest_index WHERE digest = {m} "
    "UNION ALL SELECT issuer_id, log_index FROM recent_digests WHERE digest = {m}"
)
"""The leaves ``(issuer_id, log_index)`` of one digest (bound twice), merged or not."""


def digest_keys_join(marker: str) -> str:
    """``FROM`` text for the ``leaves`` rows of one digest (bound twice), found in
    both levels, as ``leaves``: one statement, so one snapshot of both."""
    return (
        f"({DIGEST_KEYS_SQL.format(m=marker)}) AS found JOIN leaves"
        " ON leaves.log_index = found.log_index AND leaves.issuer_id = found.issuer_id"
    )


class Turns:
    """The group commit and the merge slices of one process take the database in
    turns: a slice waits for the commit under way, the next commit for the slice
    waiting or running.

    SQLite's busy handler polls with growing sleeps (up to 100 ms) and is not fair:
    left to it, a group commit could sit out a whole merge pass of back-to-back
    slices, and back-to-back commits could starve the indexer, letting
    ``recent_digests`` (and with it each commit's cost) grow without bound.  Here
    a commit waits for at most one slice, and a slice for at most one commit."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._committing = False
        self._merging = False
        self._merge_waiting = False

    @contextmanager
    def commit(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not (self._merging or self._merge_waiting))
            self._committing = True
        try:
            yield
        finally:
            with self._changed:
                self._committing = False
                self._changed.notify_all()

    @contextmanager
    def merge(self) -> Iterator[None]:
        with self._changed:
            self._merge_waiting = True
            self._changed.wait_for(lambda: not self._committing)
            self._merge_waiting, self._merging = False, True
        try:
            yield
        finally:
            with self._changed:
                self._merging = False
                self._changed.notify_all()


def record_recent(
    connection: Connection, blocks: Iterable[LeafBlock], issuer_ids: Mapping[str, int]
) -> int:
    """Copy the digests of ``blocks``, already inserted into ``leaves`` in this
    transaction, into ``recent_digests``; return how many."""
    marker = param_marker(connection)
    statement = _RECENT_FROM_LEAVES.format(m=marker)
    copied = 0
    for issuer, start, end in issuer_runs(blocks):
        connection.exec_driver_sql(statement, (start, end, issuer_ids[issuer]))
        copied += end - start
    return copied


def issuer_runs(blocks: Iterable[LeafBlock]) -> list[tuple[str, int, int]]:
    """The blocks' log positions as ``(issuer, start, end)`` runs of consecutive
    positions: a group commit appends each issuer's blocks one after the other, so
    it gives one run per issuer."""
    runs: list[tuple[str, int, int]] = []
    for block in sorted(blocks, key=lambda b: (b.issuer, b.first)):
        end = block.first + len(block)
        if runs and runs[-1][0] == block.issuer and runs[-1][2] == block.first:
            runs[-1] = (block.issuer, runs[-1][1], end)
        elif len(block):
            runs.append((block.issuer, block.first, end))
    return runs


def move_slice(connection: Connection, low: bytes, high: bytes | None) -> int:
    """Move the digests of ``[low, high)`` from ``recent_digests`` to
    ``digest_index`` in the caller's transaction; return how many moved.

    PostgreSQL deletes and inserts in one statement, so that a row committed by the
    group commit between two statements is never deleted unmerged.  SQLite has one
    writer at a time: the copy's write lock, held to the end of the transaction,
    keeps the group commit out until both statements are done."""
    marker = param_marker(connection)
    where = (_SLICE if high is None else _SLICE_BELOW).format(m=marker)
    bounds = (low,) if high is None else (low, high)
    if connection.dialect.name == "postgresql":
        return int(connection.exec_driver_sql(_MOVE_POSTGRES.format(where=where), bounds).rowcount)
    moved = connection.exec_driver_sql(_COPY.format(where=where), bounds).rowcount
    connection.exec_driver_sql(_DELETE.format(where=where), bounds)
    return int(moved)


@contextmanager
def without_sync(connection: Connection) -> Iterator[None]:
    """Commit the merge without waiting for the disk (SQLite ``synchronous=NORMAL``,
    PostgreSQL ``synchronous_commit=off``), for the caller's transaction only.

    A merge moves what is already durable; losing one to a power cut leaves its rows
    in ``recent_digests``, where lookups find them and the next pass takes them.  The
    log is written in commit order, so the next group commit's flush covers the merges
    before it, and no later state survives without them.  The slice then holds
    SQLite's write lock for its work only, not for an fsync, while the writer waits."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        try:
            connection.exec_driver_sql(f"PRAGMA synchronous={previous}")
        except Exception:
            connection.invalidate()  # never back to the pool, and to the writer, unsynced
            raise


def count_recent(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SELECT count(*) FROM recent_digests").scalar_one())


def param_marker(connection: Connection) -> str:
    """The driver's positional parameter marker (sqlite3: ``?``, psycopg: ``%s``)."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"
