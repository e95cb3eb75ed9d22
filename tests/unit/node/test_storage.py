from __future__ import annotations

from pathlib import Path

import pytest

from govchain_node.storage import BlockBufferedDB, KeyValueStore, LmdbStore, MemoryKeyValueStore


@pytest.fixture(params=["memory", "lmdb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> KeyValueStore:
    if request.param == "memory":
        return MemoryKeyValueStore()
    return LmdbStore(tmp_path / "db")


def test_writes_are_invisible_to_the_store_until_flush(store: KeyValueStore) -> None:
    db = BlockBufferedDB(store)
    db[b"a"] = b"1"
    assert db[b"a"] == b"1"
    assert store.get(b"a") is None
    db.flush()
    assert store.get(b"a") == b"1"


def test_committed_reads_skip_writes_still_pending(store: KeyValueStore) -> None:
    db = BlockBufferedDB(store)
    db[b"a"] = b"1"
    db.flush()
    db[b"a"] = b"2"
    db[b"b"] = b"3"
    assert db.committed(b"a") == b"1"
    assert db.committed(b"b") is None
    db.flush()
    assert db.committed(b"b") == b"3"


def test_lmdb_read_transaction_held_across_a_commit_stays_usable(tmp_path: Path) -> None:
    store = LmdbStore(tmp_path / "db")
    store.commit({b"a": b"1"})
    held = store._read  # what a reader on another thread may hold during a commit
    store.commit({b"a": b"2"})
    assert held.get(b"a") == b"1"
    assert store.get(b"a") == b"2"
    store.close()


def test_discard_forgets_pending_writes(store: KeyValueStore) -> None:
    db = BlockBufferedDB(store)
    db[b"a"] = b"1"
    db.flush()
    db[b"a"] = b"2"
    db[b"b"] = b"3"
    db.discard()
    assert db[b"a"] == b"1"
    assert not db.exists(b"b")


def test_delete(store: KeyValueStore) -> None:
    db = BlockBufferedDB(store)
    db[b"a"] = b"1"
    db.flush()
    del db[b"a"]
    assert not db.exists(b"a")
    with pytest.raises(KeyError):
        db[b"a"]
    db.flush()
    assert store.get(b"a") is None
    with pytest.raises(KeyError):
        del db[b"missing"]


def test_one_store_commit_per_flush() -> None:
    store = MemoryKeyValueStore()
    db = BlockBufferedDB(store)
    for i in range(100):
        db[bytes([i])] = b"x"
    db.flush()
    db.flush()  # nothing pending: the store is still called once per flush
    assert store.commits == 2


def test_lmdb_survives_reopen(tmp_path: Path) -> None:
    store = LmdbStore(tmp_path / "db")
    db = BlockBufferedDB(store)
    db[b"k"] = b"v"
    db.flush()
    db[b"lost"] = b"never flushed"
    store.close()
    reopened = LmdbStore(tmp_path / "db")
    assert reopened.get(b"k") == b"v"
    assert reopened.get(b"lost") is None
    reopened.close()
