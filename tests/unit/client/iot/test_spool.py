"""Spool semantics: durable ingest, dedupe, sequence numbers, batches across reopenings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from govchain_client.iot.batching import batch_key
from govchain_client.iot.errors import SpoolError
from govchain_client.iot.spool import Rejected, Spool
from tests.unit.client.iot.conftest import Clock, cs_reading, tts_reading


def test_pragmas_wal_and_full_sync(spool_path: Path) -> None:
    with Spool(spool_path):
        pass
    db = sqlite3.connect(spool_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    spool = Spool(spool_path)
    assert spool._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    spool.close()


def test_stored_readings_get_per_device_sequence_numbers(spool: Spool) -> None:
    results = spool.ingest([tts_reading(10), cs_reading(5), tts_reading(11), tts_reading(12)])
    assert [(r.outcome, r.seq) for r in results] == [
        ("stored", 0),
        ("stored", 0),
        ("stored", 1),
        ("stored", 2),
    ]
    assert spool.sequence("70b3d57ed005b89a") == [(0, 10), (1, 11), (2, 12)]


def test_redelivery_is_stored_once(spool: Spool) -> None:
    first = spool.ingest([tts_reading(10)])[0]
    again = spool.ingest([tts_reading(10), tts_reading(10)])
    assert [r.outcome for r in again] == ["duplicate", "duplicate"]
    assert {r.reading_id for r in again} == {first.reading_id}
    assert len(spool.all_readings()) == 1
    assert spool.next_seq("70b3d57ed005b89a") == 1  # duplicates use no sequence number
    assert spool.counters()[("messages", "duplicate")] == 2


def test_same_frame_counter_after_rejoin_is_a_new_reading(spool: Spool) -> None:
    """A rejoin resets the counter: same f_cnt, other time or payload -> not a duplicate."""
    spool.ingest([tts_reading(0, received_at="2026-11-22T10:00:00Z")])
    result = spool.ingest([tts_reading(0, received_at="2026-11-22T11:00:00Z")])[0]
    assert (result.outcome, result.seq) == ("stored", 1)
    assert len(spool.find("70b3d57ed005b89a", f_cnt=0)) == 2


def test_duplicate_within_one_group_is_stored_once(spool: Spool) -> None:
    results = spool.ingest([cs_reading(1), cs_reading(1)])
    assert [r.outcome for r in results] == ["stored", "duplicate"]


def test_rejects_are_counted_and_kept(spool: Spool) -> None:
    spool.ingest([Rejected("v3/x/devices/y/up", "not_json", "Expecting value", b"{")])
    assert spool.counters()[("rejected", "not_json")] == 1
    assert spool.counters()[("messages", "rejected")] == 1
    assert spool.rejects() == [("v3/x/devices/y/up", "not_json", "Expecting value")]


def test_a_failed_group_leaves_nothing_behind(spool: Spool) -> None:
    broken = Rejected("t", "r", "d", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        spool.ingest([tts_reading(1), broken])
    assert spool.all_readings() == []
    assert spool.next_seq("70b3d57ed005b89a") == 0


def test_committed_readings_survive_reopening(spool_path: Path, clock: Clock) -> None:
    with Spool(spool_path, clock) as spool:
        spool.ingest([tts_reading(1), tts_reading(2)])
    with Spool(spool_path, clock) as spool:
        assert [r.f_cnt for r in spool.all_readings()] == [1, 2]
        assert spool.ingest([tts_reading(3)])[0].seq == 2


def test_batches_take_the_oldest_readings_in_order(spool: Spool) -> None:
    spool.ingest([tts_reading(n) for n in range(5)])
    batch = spool.form_batch(3)
    assert batch is not None
    assert [item.seq for item in batch.items] == [0, 1, 2]
    assert batch.key == batch_key(batch.items)
    assert spool.waiting()[0] == 2
    assert spool.states() == {"spooled": 2, "batched": 3, "submitted": 0, "anchored": 0}


def test_open_batch_survives_a_crash_before_submission(spool_path: Path, clock: Clock) -> None:
    """Crash between closing a batch and submitting it: the same batch comes back."""
    with Spool(spool_path, clock) as spool:
        spool.ingest([cs_reading(n) for n in range(4)])
        formed = spool.form_batch(10)
    with Spool(spool_path, clock) as spool:
        assert spool.open_batch() == formed
        assert spool.form_batch(10) is None  # nothing else waits


def test_mark_submitted_and_receipts(spool_path: Path, clock: Clock) -> None:
    with Spool(spool_path, clock) as spool:
        spool.ingest([cs_reading(1), cs_reading(2)])
        batch = spool.form_batch(10)
        assert batch is not None
        spool.mark_submitted(batch, ["a" * 32, "b" * 32])
    with Spool(spool_path, clock) as spool:
        assert spool.open_batch() is None
        awaiting = spool.awaiting_receipts(10)
        assert [rid for _, rid in awaiting] == ["a" * 32, "b" * 32]
        spool.store_receipts([(awaiting[0][0], {"status": "anchored", "receipt": {"v": 1}})])
        assert spool.states()["anchored"] == 1
        assert spool.find("0004a30b001c0530", f_cnt=1)[0].receipt == {
            "receipt": {"v": 1},
            "status": "anchored",
        }


def test_mark_submitted_refuses_a_wrong_number_of_ids(spool: Spool) -> None:
    spool.ingest([cs_reading(1)])
    batch = spool.form_batch(10)
    assert batch is not None
    with pytest.raises(SpoolError):
        spool.mark_submitted(batch, [])


def test_waiting_reports_the_oldest_age(spool: Spool, clock: Clock) -> None:
    assert spool.waiting() == (0, None)
    spool.ingest([cs_reading(1)])
    clock.now += 1.5
    spool.ingest([cs_reading(2)])
    assert spool.waiting() == (2, 1.5)


def test_record_is_the_hashed_bytes(spool: Spool) -> None:
    item = tts_reading(7)
    spool.ingest([item])
    stored = spool.find("70b3d57ed005b89a", seq=0)[0]
    assert stored.record == item.canonical
    assert stored.digest == str(item.digest)


def test_a_newer_schema_is_refused(spool_path: Path) -> None:
    db = sqlite3.connect(spool_path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(SpoolError):
        Spool(spool_path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spool.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SpoolError):
        Spool(path)


def test_sqlite_errors_inside_a_write_become_spool_errors(spool: Spool) -> None:
    spool._db.execute("DROP TABLE devices")
    with pytest.raises(SpoolError):
        spool.ingest([tts_reading(1)])
    assert spool.all_readings() == []
