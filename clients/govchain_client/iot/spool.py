"""The bridge's durable local spool: an SQLite database in WAL mode, ``synchronous=FULL``.

A reading is committed here before its MQTT message is acknowledged, so a crash
(even ``kill -9``) after the acknowledgement cannot lose it, and a crash before it
makes the broker redeliver the message.  Redeliveries are recognised by
``(network, device, f_cnt, digest)`` (the digest covers the whole canonical record)
and stored once.  The spool also assigns each device's sequence numbers, inside the
same transaction, so they are gap-free by construction: a gap in what reached the
notary proves a reading went missing.

A reading moves through these states, each a committed row update:

    spooled ──form_batch──▶ batched ──mark_submitted──▶ submitted ──store_receipt──▶ anchored

Batches are persisted before they are submitted; an open batch found at start-up is
resubmitted unchanged (same items, same idempotency key).  Each ``Spool`` holds one
connection and belongs to one thread; the bridge opens one per thread.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govchain_client.iot.batching import Batch, BatchItem, batch_key
from govchain_client.iot.errors import SpoolError
from govchain_client.iot.reading import CanonicalReading
from govchain_core import bounded_json

SCHEMA_VERSION = 1
MAX_REJECTS_KEPT = 10_000
MAX_REJECT_BODY = 4096
#: A receipt view (receipt v1 with a proof of at most 64 hashes) is a few kilobytes.
MAX_STORED_RECEIPT_BYTES = 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    next_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    submitted_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS batches_open ON batches(id) WHERE submitted_at IS NULL;
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    device TEXT NOT NULL,
    f_cnt INTEGER NOT NULL,
    f_port INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    record BLOB NOT NULL,
    seq INTEGER NOT NULL,
    spooled_at REAL NOT NULL,
    batch_id INTEGER REFERENCES batches(id),
    receipt_id TEXT,
    receipt TEXT,
    UNIQUE (network, device, f_cnt, digest),
    UNIQUE (device, seq)
);
CREATE INDEX IF NOT EXISTS readings_unbatched ON readings(id) WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS readings_awaiting ON readings(id)
    WHERE receipt_id IS NOT NULL AND receipt IS NULL;
CREATE INDEX IF NOT EXISTS readings_fcnt ON readings(device, f_cnt);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name, label)
);
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    body BLOB NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that is not a reading: kept (truncated) for the operator and counted."""

    topic: str
    reason: str
    detail: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Ingested:
    """What happened to one incoming message."""

    outcome: str  # "stored", "duplicate" or "rejected"
    reading_id: int | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class SpooledReading:
    """A reading as the spool keeps it, with its notarisation state."""

    id: int
    network: str
    device: str
    f_cnt: int
    f_port: int
    received_at: str
    digest: str
    record: bytes
    seq: int
    batch_id: int | None
    receipt_id: str | None
    receipt: dict[str, Any] | None

    @property
    def state(self) -> str:
        if self.receipt is not None:
            return "anchored"
        if self.receipt_id is not None:
            return "submitted"
        return "batched" if self.batch_id is not None else "spooled"


_SELECT_READINGS = (
    "SELECT id, network, device, f_cnt, f_port, received_at, digest, record, seq, batch_id,"
    " receipt_id, receipt FROM readings"
)


class Spool:
    """One connection to the spool database (use from one thread only)."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._setup()
        except sqlite3.Error as exc:
            raise SpoolError(f"cannot open the spool {self.path}: {exc}") from exc

    def _setup(self) -> None:
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            raise SpoolError(f"the spool {self.path} cannot use WAL mode (got {mode})")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise SpoolError(f"spool schema {version} is newer than this bridge ({SCHEMA_VERSION})")
        self._create_schema()

    def _create_schema(self) -> None:
        # executescript commits on its own; the statements are idempotent.
        self._db.executescript(_SCHEMA + f"PRAGMA user_version={SCHEMA_VERSION};")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (an fsync with ``synchronous=FULL``), or rollback."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise SpoolError(f"spool busy or unusable: {exc}") from exc
        try:
            yield self._db
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise SpoolError(f"spool write failed: {exc}") from exc
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SpoolError(f"spool commit failed: {exc}") from exc

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # the transaction may be gone (I/O error)
            self._db.execute("ROLLBACK")

    # ingest --------------------------------------------------------------------

    def ingest(self, messages: Sequence[CanonicalReading | Rejected]) -> list[Ingested]:
        """Store readings (once each) and rejects in one transaction; return each outcome."""
        now = self._clock()
        results: list[Ingested] = []
        with self._transaction() as db:
            for message in messages:
                if isinstance(message, Rejected):
                    results.append(self._reject(db, message, now))
                else:
                    results.append(self._store(db, message, now))
            for result in results:
                _bump(db, "messages", result.outcome)
        return results

    def _store(self, db: sqlite3.Connection, item: CanonicalReading, now: float) -> Ingested:
        reading, digest = item.reading, str(item.digest)
        row = db.execute(
            "SELECT id, seq FROM readings WHERE network=? AND device=? AND f_cnt=? AND digest=?",
            (reading.network, reading.device, reading.f_cnt, digest),
        ).fetchone()
        if row is not None:
            return Ingested("duplicate", row[0], row[1])
        seq = db.execute(
            "INSERT INTO devices(device, next_seq) VALUES (?, 1) ON CONFLICT(device)"
            " DO UPDATE SET next_seq = next_seq + 1 RETURNING next_seq - 1",
            (reading.device,),
        ).fetchone()[0]
        cursor = db.execute(
            "INSERT INTO readings(network, device, f_cnt, f_port, received_at, digest, record,"
            " seq, spooled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reading.network,
                reading.device,
                reading.f_cnt,
                reading.f_port,
                reading.received_at,
                digest,
                item.canonical,
                seq,
                now,
            ),
        )
        return Ingested("stored", cursor.lastrowid, seq)

    def _reject(self, db: sqlite3.Connection, reject: Rejected, now: float) -> Ingested:
        _bump(db, "rejected", reject.reason)
        cursor = db.execute(
            "INSERT INTO rejects(at, topic, reason, detail, body) VALUES (?, ?, ?, ?, ?)",
            (
                now,
                reject.topic[:512],
                reject.reason,
                reject.detail[:1024],
                reject.body[:MAX_REJECT_BODY],
            ),
        )
        if cursor.lastrowid is not None and cursor.lastrowid > MAX_REJECTS_KEPT:
            db.execute("DELETE FROM rejects WHERE id <= ?", (cursor.lastrowid - MAX_REJECTS_KEPT,))
        return Ingested("rejected")

    # batches -------------------------------------------------------------------

    def waiting(self) -> tuple[int, float | None]:
        """How many readings wait for a batch, and the age in seconds of the oldest."""
        count, oldest = self._db.execute(
            "SELECT count(*), min(spooled_at) FROM readings WHERE batch_id IS NULL"
        ).fetchone()
        return count, (self._clock() - oldest) if oldest is not None else None

    def open_batch(self) -> Batch | None:
        """The oldest batch formed but not yet acknowledged by the notary."""
        row = self._db.execute(
            "SELECT id, key FROM batches WHERE submitted_at IS NULL ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        items = self._db.execute(
            "SELECT id, digest, device, seq FROM readings WHERE batch_id=? ORDER BY id", (row[0],)
        ).fetchall()
        return Batch(row[0], row[1], tuple(BatchItem(*item) for item in items))

    def form_batch(self, limit: int) -> Batch | None:
        """Close a batch of up to ``limit`` of the oldest unbatched readings (committed)."""
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id, digest, device, seq FROM readings WHERE batch_id IS NULL"
                " ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
            if not rows:
                return None
            items = tuple(BatchItem(*row) for row in rows)
            key = batch_key(items)
            batch_id = db.execute(
                "INSERT INTO batches(key, created_at) VALUES (?, ?)", (key, self._clock())
            ).lastrowid
            assert batch_id is not None
            db.executemany(
                "UPDATE readings SET batch_id=? WHERE id=?",
                [(batch_id, i.reading_id) for i in items],
            )
        return Batch(batch_id, key, items)

    def mark_submitted(self, batch: Batch, receipt_ids: Sequence[str]) -> None:
        """Record the notary's receipt ids for every reading of an accepted batch."""
        if len(receipt_ids) != len(batch.items):
            raise SpoolError(f"{len(receipt_ids)} receipt ids for {len(batch.items)} readings")
        with self._transaction() as db:
            db.executemany(
                "UPDATE readings SET receipt_id=? WHERE id=?",
                [
                    (rid, item.reading_id)
                    for rid, item in zip(receipt_ids, batch.items, strict=True)
                ],
            )
            db.execute(
                "UPDATE batches SET submitted_at=?, attempts=attempts+1, last_error=NULL"
                " WHERE id=?",
                (self._clock(), batch.id),
            )

    def note_failure(self, batch: Batch, error: str) -> None:
        """Remember why a batch's submission failed (shown by ``status``)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE batches SET attempts=attempts+1, last_error=? WHERE id=?",
                (error[:1024], batch.id),
            )

    # receipts ------------------------------------------------------------------

    def awaiting_receipts(self, limit: int) -> list[tuple[int, str]]:
        """``(reading id, receipt id)`` of submitted readings without a stored receipt."""
        rows = self._db.execute(
            "SELECT id, receipt_id FROM readings WHERE receipt_id IS NOT NULL AND receipt IS NULL"
            " ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def store_receipts(self, receipts: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Keep complete receipts (the notary's view with its receipt v1) beside the readings."""
        if not receipts:
            return
        with self._transaction() as db:
            db.executemany(
                "UPDATE readings SET receipt=? WHERE id=?",
                [(json.dumps(body, sort_keys=True), rid) for rid, body in receipts],
            )
            _bump(db, "receipts", "anchored", len(receipts))

    # queries -------------------------------------------------------------------

    def find(
        self, device: str, *, f_cnt: int | None = None, seq: int | None = None
    ) -> list[SpooledReading]:
        """Readings of a device by frame counter (several after a rejoin) or sequence number."""
        query = _SELECT_READINGS + " WHERE device=?"
        args: list[Any] = [device]
        if f_cnt is not None:
            query += " AND f_cnt=?"
            args.append(f_cnt)
        if seq is not None:
            query += " AND seq=?"
            args.append(seq)
        rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [_spooled(row) for row in rows]

    def sequence(self, device: str) -> list[tuple[int, int]]:
        """``(seq, f_cnt)`` of every reading of a device, in sequence order."""
        rows = self._db.execute(
            "SELECT seq, f_cnt FROM readings WHERE device=? ORDER BY seq", (device,)
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def next_seq(self, device: str) -> int:
        row = self._db.execute("SELECT next_seq FROM devices WHERE device=?", (device,)).fetchone()
        return int(row[0]) if row else 0

    def devices(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT device FROM devices ORDER BY device")]

    def all_readings(self) -> list[SpooledReading]:
        rows = self._db.execute(_SELECT_READINGS + " ORDER BY id").fetchall()
        return [_spooled(row) for row in rows]

    def counters(self) -> dict[tuple[str, str], int]:
        rows = self._db.execute("SELECT name, label, value FROM counters").fetchall()
        return {(row[0], row[1]): row[2] for row in rows}

    def bump(self, name: str, label: str, by: int = 1) -> None:
        with self._transaction() as db:
            _bump(db, name, label, by)

    def states(self) -> dict[str, int]:
        """How many readings are in each state."""
        row = self._db.execute(
            "SELECT"
            " sum(batch_id IS NULL),"
            " sum(batch_id IS NOT NULL AND receipt_id IS NULL),"
            " sum(receipt_id IS NOT NULL AND receipt IS NULL),"
            " sum(receipt IS NOT NULL)"
            " FROM readings"
        ).fetchone()
        names = ("spooled", "batched", "submitted", "anchored")
        return {name: int(value or 0) for name, value in zip(names, row, strict=True)}

    def last_batch_error(self) -> str | None:
        row = self._db.execute(
            "SELECT last_error FROM batches WHERE submitted_at IS NULL AND last_error IS NOT NULL"
            " ORDER BY id LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def rejects(self, limit: int = 20) -> list[tuple[str, str, str]]:
        """The newest rejected messages: ``(topic, reason, detail)``."""
        rows = self._db.execute(
            "SELECT topic, reason, detail FROM rejects ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]


def _bump(db: sqlite3.Connection, name: str, label: str, by: int = 1) -> None:
    db.execute(
        "INSERT INTO counters(name, label, value) VALUES (?, ?, ?)"
        " ON CONFLICT(name, label) DO UPDATE SET value = value + excluded.value",
        (name, label, by),
    )


def _spooled(row: tuple[Any, ...]) -> SpooledReading:
    receipt = _stored_receipt(row[11]) if row[11] is not None else None
    return SpooledReading(
        id=row[0],
        network=row[1],
        device=row[2],
        f_cnt=row[3],
        f_port=row[4],
        received_at=row[5],
        digest=row[6],
        record=bytes(row[7]),
        seq=row[8],
        batch_id=row[9],
        receipt_id=row[10],
        receipt=receipt,
    )


def _stored_receipt(text: str) -> dict[str, Any]:
    """A receipt view stored by the collector, parsed bounded: the spool is a file anybody
    with access can edit, and ``iot-bridge receipt`` reads it."""
    try:
        value = bounded_json.loads(text, max_bytes=MAX_STORED_RECEIPT_BYTES)
    except ValueError as exc:  # JsonLimitError and JSONDecodeError
        raise SpoolError(f"a stored receipt is unreadable: {exc}") from None
    if not isinstance(value, dict):
        raise SpoolError("a stored receipt is not a JSON object")
    return value
