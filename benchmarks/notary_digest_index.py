"""The group commit's cost with the digest index on ``leaves`` and with the two-level
digest lookup (``recent_digests`` + ``digest_index``) that replaced it, on SQLite.

    python -m benchmarks.notary_digest_index [--sizes 100000 1000000]
                                             [--commits 10] [--group 10000]
                                             [--slice 20000]

For each size N, a database with N leaves of one issuer (random digests, written by
SQLite itself) and its merged ``digest_index`` is copied three times, and each copy
takes ``--commits`` group commits of ``--group`` plain digests through
``SqlStore.commit``:

- **old index**: the index ``ix_leaves_digest`` of revisions 0003-0006 is rebuilt on
  ``leaves`` and the commit writes nothing else (what the notary did before);
- **no index**: nothing indexes the digests (the floor);
- **recent**: the commit as it is now, copying its digests into ``recent_digests``.

Each prints µs of process CPU per digest, wall µs per digest and WAL bytes per digest
(automatic checkpoints are off, so the WAL grows by what the commits wrote).  Then the
digest indexer's pass over the recent copy's backlog: µs of CPU and KB of WAL per
merged row, and the longest slice (the longest the group commit can wait for the
SQLite write lock).  Last, how much a pure-Python loop on another thread slows while a
merge runs (the GIL: the merge's statements run without it).  Prints figures, asserts
nothing; the load average says how busy the shared machine was.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest.mock import patch

from sqlalchemy import Engine, event

from benchmarks import machine
from govchain_notary.receipt_ids import TAG_BYTES
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import CommitBatch, LeafBlock, PreparedLeaves
from govchain_notary.storage.sql import SqlStore

ISSUER = "0x" + "b1" * 20

_FILL = (
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {size}) "
    "INSERT INTO leaves (log_index, issuer_id, tag, digest, kind, salt, client_id, created_at) "
    "SELECT i, 1, randomblob(8), randomblob(32), 'certificate', randomblob(16), 1, 1.0 FROM n"
)


def engine_at(path: Path) -> Engine:
    """The notary's engine, with automatic WAL checkpoints off so the WAL's size is
    what the measured transactions wrote."""
    engine = make_engine(f"sqlite:///{path}", pool_size=2)

    def no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    event.listen(engine, "connect", no_checkpoints)
    return engine


def build_base(path: Path, size: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO issuers (id, address) VALUES (1, ?)", (ISSUER,))
        connection.exec_driver_sql("INSERT INTO logs (issuer, size) VALUES (?, ?)", (ISSUER, size))
        connection.exec_driver_sql(_FILL.format(size=int(size)))
        connection.exec_driver_sql(
            "INSERT INTO digest_index SELECT digest, issuer_id, log_index FROM leaves "
            "ORDER BY digest, issuer_id, log_index"
        )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def batches(start: int, commits: int, group: int) -> list[CommitBatch]:
    """Group commits of one plain block each (as one 10,000-digest request gives)."""
    made = []
    for n in range(commits):
        leaves = PreparedLeaves(
            "certificate",
            [os.urandom(32) for _ in range(group)],
            [os.urandom(16) for _ in range(group)],
            os.urandom(TAG_BYTES * group),
            [],
        )
        first = start + n * group
        block = LeafBlock(ISSUER, first, 1, 2.0, leaves)
        made.append(CommitBatch([block], {}, {ISSUER: first + group}))
    return made


@contextmanager
def wal_growth(path: Path, into: list[int]) -> Iterator[None]:
    wal = Path(f"{path}-wal")
    before = wal.stat().st_size if wal.exists() else 0
    yield
    into.append((wal.stat().st_size if wal.exists() else 0) - before)


def measure_commits(path: Path, size: int, args: argparse.Namespace, variant: str) -> SqlStore:
    engine = engine_at(path)
    store = SqlStore(engine)
    if variant == "old index":
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE INDEX ix_leaves_digest ON leaves (digest)")
    todo = batches(size, args.commits, args.group)
    store.unmerged_digests()  # counted before the clock starts, as the service does
    wal: list[int] = []
    with _recent_copy(enabled=variant == "recent"), wal_growth(path, wal):
        cpu, wall = time.process_time(), time.perf_counter()
        for batch in todo:
            store.commit(batch)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    digests = args.commits * args.group
    print(
        f"  commit, {variant:9}: {cpu / digests * 1e6:6.1f} us CPU/digest, "
        f"{wall / digests * 1e6:6.1f} us wall/digest, {wal[0] / digests:7.0f} B WAL/digest"
    )
    return store


def _recent_copy(enabled: bool) -> AbstractContextManager[object]:
    """The commit without its copy into ``recent_digests`` (the old and floor cases)."""
    if enabled:
        return nullcontext()
    return patch("govchain_notary.storage.sql.record_recent", return_value=0)


def measure_merge(path: Path, store: SqlStore, slice_rows: int) -> None:
    rows = store.unmerged_digests()
    slowest, wal = 0.0, list[int]()
    with wal_growth(path, wal):
        cpu = time.process_time()
        for low, high in store.digest_slices(slice_rows):
            started = time.perf_counter()
            store.merge_digests(low, high)
            slowest = max(slowest, time.perf_counter() - started)
        cpu = time.process_time() - cpu
    print(
        f"  merge of {rows} rows in slices of {slice_rows}: {cpu / rows * 1e6:.1f} us CPU/row, "
        f"{wal[0] / rows:.0f} B WAL/row, longest slice {slowest * 1e3:.0f} ms"
    )


def python_rate(seconds: float | None = None, busy: Callable[[], None] | None = None) -> float:
    """Iterations per second of a pure-Python loop on this thread: for ``seconds``
    alone, or for as long as ``busy`` runs on another thread."""
    thread = threading.Thread(target=busy) if busy else None
    if thread:
        thread.start()
    count, started = 0, time.perf_counter()
    end = started + (seconds or 0.0)
    while thread.is_alive() if thread else time.perf_counter() < end:
        count += sum(range(100))
    return count / (time.perf_counter() - started)


def measure_gil(path: Path, size: int, args: argparse.Namespace) -> None:
    """A fresh backlog of ``--commits`` commits, merged while this thread loops."""
    store = SqlStore(engine_at(path))
    for batch in batches(size, args.commits, args.group):
        store.commit(batch)
    alone = python_rate(seconds=0.5)
    started = time.perf_counter()
    during = python_rate(busy=lambda: _merge_all(store, args.slice))
    took = time.perf_counter() - started
    control = python_rate(busy=lambda: _hash_for(took))
    print(
        f"  a pure-Python loop on another thread runs at {during / alone:.0%} of its rate"
        f" alone while a merge runs ({took:.2f} s), at {control / alone:.0%} while C code"
        " that never holds the GIL (SHA-256 of 1 MiB buffers) runs as long"
    )
    store.close()


def _hash_for(seconds: float) -> None:
    """A control: busy CPU that never holds the GIL (hashlib releases it for big data)."""
    data, end = os.urandom(1 << 20), time.perf_counter() + seconds
    while time.perf_counter() < end:
        hashlib.sha256(data).digest()


def _merge_all(store: SqlStore, slice_rows: int) -> None:
    for low, high in store.digest_slices(slice_rows):
        store.merge_digests(low, high)


def run(size: int, args: argparse.Namespace, scratch: Path) -> None:
    print(f"{size} existing leaves ({machine.describe()}):")
    base = scratch / f"base-{size}.db"
    build_base(base, size)
    for variant in ("old index", "no index", "recent"):
        copy = scratch / f"{variant.replace(' ', '-')}-{size}.db"
        shutil.copy(base, copy)
        store = measure_commits(copy, size, args, variant)
        if variant == "recent":
            measure_merge(copy, store, args.slice)
            store.close()
            measure_gil(copy, size + args.commits * args.group, args)
        else:
            store.close()
        for leftover in scratch.glob(f"{copy.name}*"):
            leftover.unlink()
    base.unlink()
    print(f"  load average {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--commits", type=int, default=10)
    parser.add_argument("--group", type=int, default=10_000)
    parser.add_argument("--slice", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            run(size, args, Path(scratch))


if __name__ == "__main__":
    main()
