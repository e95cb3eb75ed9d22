"""Durable key-value storage with one atomic, fsync'd commit per block.

py-evm writes state trie nodes, headers, bodies, receipts and the canonical head
pointer through many small ``db[key] = value`` calls. :class:`BlockBufferedDB` keeps
all of them in memory and :meth:`BlockBufferedDB.flush` hands them to the store as
ONE write transaction. LMDB commits a transaction with a single fsync of its meta page
after the data pages (copy-on-write B+tree), so after ``kill -9`` or power loss the
database is exactly the last committed block, never a half-written one.

``KeyValueStore`` is the transport interface; :class:`LmdbStore` is the real adapter and
:class:`MemoryKeyValueStore` the in-memory fake for tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import lmdb
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB

from govchain_node.errors import StorageError

DEFAULT_MAP_SIZE = 1 << 40  # 1 TiB of address space; the file grows as needed


class KeyValueStore(Protocol):
    """Byte keys to byte values, committed atomically and durably in batches."""

    def get(self, key: bytes) -> bytes | None: ...

    def commit(self, writes: Mapping[bytes, bytes | None]) -> None:
        """Apply all writes (``None`` deletes) atomically; durable on return."""

    def close(self) -> None: ...


class MemoryKeyValueStore:
    """In-memory :class:`KeyValueStore` fake; ``commits`` counts commit calls."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.commits = 0

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def commit(self, writes: Mapping[bytes, bytes | None]) -> None:
        for key, value in writes.items():
            if value is None:
                self.data.pop(key, None)
            else:
                self.data[key] = value
        self.commits += 1

    def close(self) -> None:
        return None


class LmdbStore:
    """LMDB environment in ``path``; every commit is synchronous (fsync'd)."""

    def __init__(self, path: Path, map_size: int = DEFAULT_MAP_SIZE) -> None:
        path.mkdir(parents=True, exist_ok=True)
        try:
            self._env = lmdb.open(
                str(path),
                map_size=map_size,
                sync=True,
                metasync=True,
                readahead=False,
                max_dbs=0,
                lock=True,
            )
        except lmdb.Error as exc:
            raise StorageError(f"cannot open LMDB store at {path}: {exc}") from exc
        self._read = self._env.begin(buffers=False)

    def get(self, key: bytes) -> bytes | None:
        try:
            value = self._read.get(key)
        except lmdb.Error as exc:
            raise StorageError(f"LMDB read failed: {exc}") from exc
        return None if value is None else bytes(value)

    def commit(self, writes: Mapping[bytes, bytes | None]) -> None:
        if not writes:
            return
        try:
            with self._env.begin(write=True) as txn:
                for key, value in writes.items():
                    if value is None:
                        txn.delete(key)
                    else:
                        txn.put(key, value)
        except lmdb.Error as exc:
            raise StorageError(f"LMDB commit failed: {exc}") from exc
        # A read transaction sees the snapshot it started with; start a new one to see the
        # commit. The old one is not aborted here: a reader on another thread may hold it
        # (py-lmdb lets read transactions move between threads); it ends when released.
        self._read = self._env.begin(buffers=False)

    def close(self) -> None:
        self._read.abort()
        self._env.close()


class BlockBufferedDB(BaseDB):
    """py-evm database view: reads see pending writes; nothing reaches disk before flush.

    One thread writes (the block builder); other threads may read at the same time:
    they see content-addressed trie nodes of the block being built, which no committed
    root references, and read the chain index through :meth:`committed`.
    """

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        self._pending: dict[bytes, bytes | None] = {}

    def __getitem__(self, key: bytes) -> bytes:
        # One reference to the pending dict: a flush on the building thread may swap it.
        pending = self._pending
        value = pending[key] if key in pending else self._store.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def committed(self, key: bytes) -> bytes | None:
        """The value as of the last flush, never a write still pending."""
        return self._store.get(key)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self._pending[key] = None

    def _exists(self, key: bytes) -> bool:
        if key in self._pending:
            return self._pending[key] is not None
        return self._store.get(key) is not None

    def flush(self) -> None:
        """Commit all pending writes as one atomic, durable store transaction."""
        pending, self._pending = self._pending, {}
        self._store.commit(pending)

    def discard(self) -> None:
        """Forget pending writes (a block that failed to build leaves no trace)."""
        self._pending = {}


def open_database(store: KeyValueStore) -> tuple[AtomicDB, BlockBufferedDB]:
    """The py-evm facing atomic DB and the buffer whose ``flush`` commits a block."""
    buffered = BlockBufferedDB(store)
    return AtomicDB(buffered), buffered
