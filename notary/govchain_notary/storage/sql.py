"""The repositories over SQL (SQLite or PostgreSQL), with SQLAlchemy Core statements.

Bulk writes use executemany with plain rows; reads select only the columns they
map.  Every public method runs in its own transaction, except ``commit``, which is
the writer's group commit: submissions, log tiles, log sizes and idempotency
answers of many requests become durable together or not at all.  A leaf row names
its issuer by a small id from ``issuers``: the group commit maps the addresses to
ids (adding new issuers in its transaction), the reads join the addresses back.
The public lookup's reads are driver SQL on kept connections instead (``driver``),
and its covering checkpoints come from memory (``anchored_index``).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from govchain_core.receipt import AnchorRef
from govchain_core.tiles import TileKey
from govchain_notary.errors import DuplicateError, StoreError
from govchain_notary.receipt_ids import parse_receipt_id
from govchain_notary.storage.anchored_index import CAPACITY, AnchoredIndex
from govchain_notary.storage.digest_merge import (
    Turns,
    count_recent,
    digest_keys_join,
    move_slice,
    record_recent,
    without_sync,
)
from govchain_notary.storage.digest_merge import param_marker as _marker
from govchain_notary.storage.driver import driver_connections
from govchain_notary.storage.models import (
    Checkpoint,
    Client,
    IdempotencyKey,
    Issuer,
    Leaf,
    LogState,
    LogTile,
    table,
)
from govchain_notary.storage.repos import (
    ANCHORED,
    LEAF_COLUMNS,
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
from govchain_notary.storage.sqlite_leaves import insert_plain_blocks
from govchain_notary.storage.tile_cache import CachedTileReader, TileCache

clients = table(Client)
leaves = table(Leaf)
issuers = table(Issuer)
idempotency_keys = table(IdempotencyKey)
logs = table(LogState)
log_tiles = table(LogTile)
checkpoints = table(Checkpoint)

# A leaf row stores its issuer's id; readers see the address, joined from ``issuers``.
_STORED_LEAF_COLUMNS = tuple("issuer_id" if name == "issuer" else name for name in LEAF_COLUMNS)
_LEAF_COLUMNS = (
    *(issuers.c.address if name == "issuer" else leaves.c[name] for name in LEAF_COLUMNS),
    leaves.c.legacy_id,
)
_LEAVES = select(*_LEAF_COLUMNS).select_from(
    leaves.join(issuers, issuers.c.id == leaves.c.issuer_id)
)
_LEAVES_SQL = (
    "SELECT "  # noqa: S608  (names are ours)
    + ", ".join(f"{column.table.name}.{column.name}" for column in _LEAF_COLUMNS)
    + " FROM leaves JOIN issuers ON issuers.id = leaves.issuer_id"
)
_CHECKPOINT_COLUMNS = (
    checkpoints.c.issuer,
    checkpoints.c.size,
    checkpoints.c.root,
    checkpoints.c.prev_size,
    checkpoints.c.state,
    checkpoints.c.created_at,
    checkpoints.c.chain_id,
    checkpoints.c.registry_address,
    checkpoints.c.tx_hash,
    checkpoints.c.block_number,
    checkpoints.c.block_hash,
    checkpoints.c.timestamp,
)


# The public reads' statements, built once: building a select per call cost more
# than running it (a lookup makes three or four of them).
_LEAF_BY_ID = _LEAVES.where(
    leaves.c.log_index == bindparam("log_index"), leaves.c.tag == bindparam("tag")
)
_LEAF_BY_LEGACY_ID = _LEAVES.where(leaves.c.legacy_id == bindparam("legacy_id"))
_LEAF_AT = _LEAVES.where(
    issuers.c.address == bindparam("issuer"), leaves.c.log_index == bindparam("log_index")
)
_ANCHORED = select(*_CHECKPOINT_COLUMNS).where(
    checkpoints.c.issuer == bindparam("issuer"), checkpoints.c.state == ANCHORED
)
_LATEST_ANCHORED = _ANCHORED.order_by(checkpoints.c.size.desc()).limit(1)


class _LookupSql(NamedTuple):
    """The lookup's driver SQL (see ``storage.driver``)."""

    by_digest: str
    """The leaves of a digest (bound twice, see ``digest_merge``), each with its
    issuer's largest anchored size."""
    newest_above: str
    """An issuer's newest anchored checkpoints above a size, at most a number, newest first."""
    covering: str
    """An issuer's first anchored checkpoint above a leaf's position."""
    issuer_id: str
    """An issuer's id."""

    @classmethod
    def of(cls, marker: str) -> _LookupSql:
        anchored = (
            "SELECT "  # noqa: S608  (names are ours)
            + ", ".join(column.name for column in _CHECKPOINT_COLUMNS)
            + f" FROM checkpoints WHERE issuer = {marker} AND state = '{ANCHORED}'"
            f" AND size > {marker} ORDER BY size"
        )
        latest_anchored = (  # per row: its issuer's largest anchored size, or NULL
            "(SELECT max(size) FROM checkpoints WHERE checkpoints.issuer = issuers.address"  # noqa: S608
            f" AND checkpoints.state = '{ANCHORED}')"
        )
        by_digest = f", {latest_anchored} FROM {digest_keys_join(marker)} "
        return cls(
            _LEAVES_SQL.replace(" FROM leaves ", by_digest, 1)
            + " ORDER BY leaves.created_at, issuers.address, leaves.log_index"
            f" LIMIT {marker}",
            f"{anchored} DESC LIMIT {marker}",
            f"{anchored} LIMIT 1",
            f"SELECT id FROM issuers WHERE address = {marker}",  # noqa: S608
        )


@functools.lru_cache(maxsize=64)
def tiles_sql(marker: str, count: int) -> str:
    """Driver SQL selecting ``count`` tiles of an issuer with their interiors: one
    primary-key seek per tile joined by UNION ALL (SQLite plans neither
    ``(level, idx) IN (...)`` nor an OR of key pairs as seeks); parameters
    ``issuer_id, level, idx`` per tile."""
    one = (
        "SELECT level, idx, hashes, interior FROM log_tiles "  # noqa: S608  (only markers)
        f"WHERE issuer_id = {marker} AND level = {marker} AND idx = {marker}"
    )
    return " UNION ALL ".join([one] * count)


def write_tiles(
    connection: Connection,
    issuer_id: int,
    tiles: dict[TileKey, bytes],
    interiors: dict[TileKey, bytes] | None = None,
) -> None:
    """Insert new tiles and overwrite grown ones, each with its interior if given.  A
    stored tile is replaced only by a longer one: a full tile never changes, and a
    partial one only grows."""
    if not tiles:
        return
    marker = _marker(connection)
    statement = (
        "INSERT INTO log_tiles (issuer_id, level, idx, hashes, interior) "  # noqa: S608
        f"VALUES ({marker}, {marker}, {marker}, {marker}, {marker}) "
        "ON CONFLICT (issuer_id, level, idx) DO UPDATE SET hashes = excluded.hashes, "
        "interior = excluded.interior WHERE length(log_tiles.hashes) < length(excluded.hashes)"
    )
    found = interiors or {}
    rows = [
        (issuer_id, level, index, tile, found.get((level, index)))
        for (level, index), tile in sorted(tiles.items())
    ]
    connection.exec_driver_sql(statement, rows)


def bulk_insert(
    connection: Connection, target: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """executemany straight on the driver: SQLAlchemy's per-row parameter processing
    costs more than SQLite's own insert for the thousands of rows of a group commit."""
    if not rows:
        return
    marker = _marker(connection)
    statement = (
        f"INSERT INTO {target.name} ({', '.join(columns)}) "  # noqa: S608  (names are ours)
        f"VALUES ({_markers(marker, columns)})"
    )
    connection.exec_driver_sql(statement, rows)


def _markers(marker: str, values: Sequence[Any]) -> str:
    return ", ".join([marker] * len(values))


class SqlStore:
    """All repositories over one SQLAlchemy engine."""

    #: After each merge slice, copy the WAL into the SQLite database on the indexer's
    #: thread: else the group commit that next finds the WAL over its automatic
    #: checkpoint size does it, for the merge's pages too (~500 B of WAL per merged
    #: digest at 10^6 leaves), and a submission waited about 250 ms more at p99.
    checkpoint_merges = True

    def __init__(self, engine: Engine, anchored_capacity: int = CAPACITY) -> None:
        self.engine = engine
        self._issuer_ids: dict[str, int] = {}  # committed ids only, for the writer
        self._driver = driver_connections(engine)
        self._sql = _LookupSql.of(self._driver.marker)
        self._anchored = AnchoredIndex(anchored_capacity)
        self._reader_issuer_ids: dict[str, int] = {}
        self.tile_cache = TileCache()
        self._unmerged: int | None = None  # rows of recent_digests, counted per pass
        self._unmerged_lock = threading.Lock()  # the writer adds, the indexer takes
        self._turns = Turns()  # between the group commit and the merge slices

    def close(self) -> None:
        self.engine.dispose()  # closes the idle driver connections too

    # clients -------------------------------------------------------------------

    def add_client(self, client: ClientRecord) -> ClientRecord:
        values = {
            "name": client.name,
            "key_hash": client.key_hash,
            "issuer": client.issuer,
            "scopes": json.dumps(list(client.scopes)),
            "rate_limit": client.rate_limit,
            "revoked": client.revoked,
            "created_at": client.created_at,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(clients), values)
                row = connection.execute(
                    select(clients.c.id).where(clients.c.name == client.name)
                ).one()
        except IntegrityError as exc:
            raise DuplicateError(f"a client named {client.name!r} already exists") from exc
        return ClientRecord(**{**_client_fields(client), "id": int(row[0])})

    def client_by_key_hash(self, key_hash: str) -> ClientRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(clients).where(clients.c.key_hash == key_hash)).first()
        return _client(row) if row is not None else None

    def list_clients(self) -> list[ClientRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(clients).order_by(clients.c.id)).all()
        return [_client(row) for row in rows]

    def revoke_client(self, name: str) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(clients).where(clients.c.name == name).values(revoked=True)
            )
        return bool(result.rowcount)

    # receipts ------------------------------------------------------------------

    def commit(self, batch: CommitBatch) -> None:
        with self._turns.commit():
            self._commit(batch)

    def _commit(self, batch: CommitBatch) -> None:
        with self.engine.begin() as connection:
            ids = _IssuerIds(connection, self._issuer_ids)
            blocks = batch.blocks
            if connection.dialect.name == "sqlite":
                insert_plain_blocks(connection, [b for b in blocks if b.leaves.plain], ids)
                blocks = [block for block in blocks if not block.leaves.plain]
            stored = [(row[0], ids[row[1]], *row[2:]) for block in blocks for row in block.rows()]
            bulk_insert(connection, leaves, _STORED_LEAF_COLUMNS, stored)
            recorded = record_recent(connection, batch.blocks, ids)
            for issuer, tiles in batch.tiles.items():
                write_tiles(connection, ids[issuer], tiles, batch.interiors.get(issuer))
            for issuer, size in batch.log_sizes.items():
                _set_log_size(connection, issuer, size)
            if batch.idempotency:
                connection.execute(
                    insert(idempotency_keys),
                    [_idempotency_row(record) for record in batch.idempotency],
                )
        self._issuer_ids = dict(ids)  # ids added by a rolled-back commit never get here
        self._count_unmerged(recorded)

    # digest index ----------------------------------------------------------------

    def unmerged_digests(self) -> int:
        """Committed digests not yet moved to ``digest_index`` (see ``digest_merge``)."""
        return self._count_unmerged(0)

    def digest_slices(self, slice_rows: int) -> list[DigestSlice]:
        """Slices of the backlog, counted afresh: the count then also drops the digests
        that another notary process (with other issuers) merged.  A commit that lands
        between the count and its own addition is counted twice until the next pass."""
        with self._unmerged_lock, self.engine.connect() as connection:
            self._unmerged = count_recent(connection)
            return digest_slices(self._unmerged, slice_rows)

    def merge_digests(self, low: bytes, high: bytes | None) -> int:
        """Move one slice of recent digests into ``digest_index``, in one transaction."""
        with self._turns.merge(), self.engine.connect() as connection, without_sync(connection):
            moved = move_slice(connection, low, high)
            connection.commit()
        if self.checkpoint_merges and self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:  # beside the commits, not in turn
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        self._count_unmerged(-moved)
        return moved

    def _count_unmerged(self, change: int) -> int:
        with self._unmerged_lock:
            if self._unmerged is None:
                with self.engine.connect() as connection:
                    self._unmerged = count_recent(connection)  # includes this change
                return self._unmerged
            self._unmerged += change
            return self._unmerged

    def idempotency(self, client_id: int, key: str) -> IdempotencyRecord | None:
        statement = select(idempotency_keys).where(
            idempotency_keys.c.client_id == client_id, idempotency_keys.c.key == key
        )
        with self.engine.connect() as connection:
            row = connection.execute(statement).first()
        if row is None:
            return None
        return IdempotencyRecord(
            client_id=row.client_id,
            key=row.key,
            fingerprint=row.fingerprint,
            receipt_ids=tuple(json.loads(row.receipt_ids)),
            created_at=row.created_at,
        )

    def submission(self, receipt_id: str) -> SubmissionRecord | None:
        position = parse_receipt_id(receipt_id)
        if position is not None:
            found = self._one_submission(_LEAF_BY_ID, log_index=position[0], tag=position[1])
            if found is not None:
                return found
        return self._one_submission(_LEAF_BY_LEGACY_ID, legacy_id=receipt_id)

    def submission_at(self, issuer: str, log_index: int) -> SubmissionRecord | None:
        return self._one_submission(_LEAF_AT, issuer=issuer, log_index=log_index)

    def submissions_by_digest(self, digest: str, limit: int) -> list[SubmissionRecord]:
        return [_submission(row) for row in self._leaves_of(digest, limit)]

    def receipts_by_digest(
        self, digest: str, limit: int
    ) -> list[tuple[SubmissionRecord, CheckpointRecord | None]]:
        """One select: the leaves, and with each its issuer's largest anchored size, so
        a pending leaf costs no checkpoint read and an anchored one is looked up in
        memory (``covering_checkpoint``, which reads what memory lacks)."""
        found = []
        for row in self._leaves_of(digest, limit):
            submission, anchored = _submission(row), row[len(_LEAF_COLUMNS)]
            checkpoint = None
            if anchored is not None and anchored > submission.log_index:
                checkpoint = self.covering_checkpoint(submission.issuer, submission.log_index)
            found.append((submission, checkpoint))
        return found

    def _leaves_of(self, digest: str, limit: int) -> list[Sequence[Any]]:
        raw = stored_digest_bytes(digest)
        return [] if raw is None else self._driver.fetchall(self._sql.by_digest, (raw, raw, limit))

    def log_size(self, issuer: str) -> int:
        with self.engine.connect() as connection:
            size = connection.execute(select(logs.c.size).where(logs.c.issuer == issuer)).scalar()
        return int(size) if size is not None else 0

    def log_sizes(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {row[0]: int(row[1]) for row in connection.execute(select(logs))}

    def tile_reader(self, issuer: str, size: int) -> CachedTileReader:
        return CachedTileReader(partial(self._read_tiles, issuer), self.tile_cache, issuer, size)

    def _read_tiles(self, issuer: str, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
        """The stored tiles of ``keys`` with their interiors, in one driver statement;
        ``b""`` for a tile not stored and for an interior not stored."""
        issuer_id = self._known_issuer_id(issuer)
        found = {}
        if issuer_id is not None and keys:
            parameters = [value for level, index in keys for value in (issuer_id, level, index)]
            rows = self._driver.fetchall(tiles_sql(self._driver.marker, len(keys)), parameters)
            found = {(int(r[0]), int(r[1])): (bytes(r[2]), bytes(r[3] or b"")) for r in rows}
        return [found.get(key, (b"", b"")) for key in keys]

    def _known_issuer_id(self, issuer: str) -> int | None:
        """The issuer's id for readers (an id, once committed, never changes)."""
        found = self._reader_issuer_ids.get(issuer)
        if found is None:
            rows = self._driver.fetchall(self._sql.issuer_id, (issuer,))
            if not rows:
                return None
            found = self._reader_issuer_ids[issuer] = int(rows[0][0])
        return found

    def leaf_hashes(self, issuer: str, start: int, end: int) -> list[bytes]:
        """Leaf hashes ``[start, end)`` of an issuer's log, recomputed from the leaves'
        rows (the check of the stored tiles reads them in slices)."""
        with self.engine.connect() as connection:
            marker = _marker(connection)
            statement = (
                f"{_LEAVES_SQL} WHERE issuers.address = {marker} AND leaves.log_index >= "
                f"{marker} AND leaves.log_index < {marker} ORDER BY leaves.log_index"
            )
            rows = connection.exec_driver_sql(statement, (issuer, start, end)).all()
        if [int(row[0]) for row in rows] != list(range(start, start + len(rows))):
            raise StoreError(f"leaves {start}..{end} of {issuer} are not consecutive")
        return [_submission(row).leaf_hash for row in rows]

    def stored_tiles(self, issuer: str) -> dict[TileKey, bytes]:
        """Every stored tile of an issuer's log."""
        return {key: tile for key, (tile, _) in self._stored(issuer).items()}

    def stored_interiors(self, issuer: str) -> dict[TileKey, bytes]:
        """Every stored tile interior of an issuer's log."""
        return {key: interior for key, (_, interior) in self._stored(issuer).items() if interior}

    def _stored(self, issuer: str) -> dict[TileKey, tuple[bytes, bytes]]:
        issuer_id = self._known_issuer_id(issuer)
        if issuer_id is None:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    log_tiles.c.level, log_tiles.c.idx, log_tiles.c.hashes, log_tiles.c.interior
                ).where(log_tiles.c.issuer_id == issuer_id)
            )
            return {(int(r[0]), int(r[1])): (bytes(r[2]), bytes(r[3] or b"")) for r in rows}

    def _one_submission(self, statement: Any, **values: Any) -> SubmissionRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(statement, values).first()
        return _submission(row) if row is not None else None

    # checkpoints ---------------------------------------------------------------

    def prepare_checkpoint(self, checkpoint: CheckpointRecord) -> None:
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(checkpoints.c.size).where(
                    checkpoints.c.issuer == checkpoint.issuer,
                    checkpoints.c.size == checkpoint.size,
                )
            ).first()
            if exists is None:
                connection.execute(insert(checkpoints), _checkpoint_row(checkpoint))

    def mark_anchored(self, issuer: str, size: int, anchor: AnchorRef) -> None:
        values = {
            "state": ANCHORED,
            "chain_id": anchor.chain_id,
            "registry_address": anchor.registry,
            "tx_hash": anchor.tx_hash,
            "block_number": anchor.block_number,
            "block_hash": anchor.block_hash,
            "timestamp": anchor.timestamp,
        }
        with self.engine.begin() as connection:
            connection.execute(
                update(checkpoints)
                .where(checkpoints.c.issuer == issuer, checkpoints.c.size == size)
                .values(**values)
            )

    def checkpoint(self, issuer: str, size: int) -> CheckpointRecord | None:
        return self._one_checkpoint(
            select(*_CHECKPOINT_COLUMNS).where(
                checkpoints.c.issuer == issuer, checkpoints.c.size == size
            )
        )

    def latest_anchored(self, issuer: str) -> CheckpointRecord | None:
        return self._one_checkpoint(_LATEST_ANCHORED, issuer=issuer)

    def covering_checkpoint(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        """From the anchored checkpoints in memory (``anchored_index``); when none known
        covers the leaf, from the ones anchored since (by any process), read and added;
        below what memory keeps, from the database."""
        index = self._anchored
        found = index.covering(issuer, log_index)
        if found is None and log_index >= index.floor(issuer):
            self._read_anchored_since(issuer)
            found = index.covering(issuer, log_index)
        if found is None and log_index < index.floor(issuer):
            rows = self._driver.fetchall(self._sql.covering, (issuer, log_index))
            found = _checkpoint(rows[0]) if rows else None
        return found

    def _read_anchored_since(self, issuer: str) -> None:
        """Add the checkpoints anchored above the largest one memory knows."""
        index = self._anchored
        limit = index.capacity + 1  # one more tells whether there are more
        parameters = (issuer, index.largest(issuer), limit)
        rows = self._driver.fetchall(self._sql.newest_above, parameters)
        index.add(issuer, [_checkpoint(row) for row in reversed(rows)], len(rows) < limit)

    def anchored_checkpoints(
        self, issuer: str, limit: int, before: int | None = None
    ) -> list[CheckpointRecord]:
        statement = _ANCHORED
        if before is not None:
            statement = statement.where(checkpoints.c.size < before)
        statement = statement.order_by(checkpoints.c.size.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [_checkpoint(row) for row in connection.execute(statement, {"issuer": issuer})]

    def discard_prepared(self, issuer: str, above: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(checkpoints).where(
                    checkpoints.c.issuer == issuer,
                    checkpoints.c.size > above,
                    checkpoints.c.state != ANCHORED,
                )
            )

    def _one_checkpoint(self, statement: Any, **values: Any) -> CheckpointRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(statement, values).first()
        return _checkpoint(row) if row is not None else None


class _IssuerIds(dict[str, int]):
    """Issuer address to id within one transaction: the committed ids known before,
    and any other issuer looked up, or added, the first time it is asked for."""

    def __init__(self, connection: Connection, known: dict[str, int]) -> None:
        super().__init__(known)
        self.connection = connection

    def __missing__(self, address: str) -> int:
        found = self.connection.execute(
            select(issuers.c.id).where(issuers.c.address == address)
        ).scalar()
        if found is None:  # only this issuer's one writer adds it (``IssuerLock``)
            added = insert(issuers).values(address=address).returning(issuers.c.id)
            found = self.connection.execute(added).scalar_one()
        self[address] = int(found)
        return self[address]


def _set_log_size(connection: Connection, issuer: str, size: int) -> None:
    result = connection.execute(update(logs).where(logs.c.issuer == issuer).values(size=size))
    if not result.rowcount:
        connection.execute(insert(logs), {"issuer": issuer, "size": size})


def _client_fields(client: ClientRecord) -> dict[str, Any]:
    return {name: getattr(client, name) for name in ClientRecord.__slots__}


def _client(row: Any) -> ClientRecord:
    return ClientRecord(
        id=int(row.id),
        name=row.name,
        key_hash=row.key_hash,
        issuer=row.issuer,
        scopes=tuple(json.loads(row.scopes)),
        rate_limit=float(row.rate_limit),
        revoked=bool(row.revoked),
        created_at=int(row.created_at),
    )


def _submission(row: Any) -> SubmissionRecord:
    """A row of ``_LEAF_COLUMNS`` as the reader's record (drivers give memoryview or
    bytes for blobs, so the byte columns are normalised first)."""
    stored: LeafRow = (
        int(row[0]),
        row[1],
        bytes(row[2]) if row[2] is not None else None,
        bytes(row[3]),
        row[4],
        bytes(row[5]),
        bytes(row[6]) if row[6] is not None else None,
        row[7],
        int(row[8]) if row[8] is not None else None,
        int(row[9]),
        float(row[10]),
        row[11],
    )
    return submission_of(stored, row[12])


def stored_digest_bytes(digest: str) -> bytes | None:
    """The 32 stored bytes of a ``sha256:<64 lower-case hex>`` digest; None otherwise."""
    if len(digest) != 71 or not digest.startswith("sha256:"):
        return None
    try:
        raw = bytes.fromhex(digest[7:])
    except ValueError:
        return None
    return raw if raw.hex() == digest[7:] else None


def _idempotency_row(record: IdempotencyRecord) -> dict[str, Any]:
    return {
        "client_id": record.client_id,
        "key": record.key,
        "fingerprint": record.fingerprint,
        "receipt_ids": json.dumps(list(record.receipt_ids)),
        "created_at": record.created_at,
    }


def _checkpoint_row(record: CheckpointRecord) -> dict[str, Any]:
    """A prepared checkpoint's row (its anchor columns stay NULL until ``mark_anchored``)."""
    assert record.anchor is None, "a checkpoint is prepared before it is anchored"
    return {
        "issuer": record.issuer,
        "size": record.size,
        "root": record.root,
        "prev_size": record.prev_size,
        "state": record.state,
        "created_at": record.created_at,
    }


def _checkpoint(row: Any) -> CheckpointRecord:
    anchor = None
    if row[8] is not None:
        anchor = AnchorRef(
            chain_id=int(row[6]),
            registry=row[7],
            tx_hash=bytes(row[8]),
            block_number=int(row[9]),
            block_hash=bytes(row[10]),
            timestamp=int(row[11]),
        )
    return CheckpointRecord(
        issuer=row[0],
        size=int(row[1]),
        root=bytes(row[2]),
        prev_size=int(row[3]),
        state=row[4],
        created_at=int(row[5]),
        anchor=anchor,
    )
