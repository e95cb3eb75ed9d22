"""The group commit's cost with the digest index on ``leaves`` and with the two-level
digest lookup (``recent_digests`` + ``digest_index``) that replaced it.

    python -m benchmarks.notary_digest_index [--sizes 100000 1000000] [--postgres]
                                             [--commits 10] [--group 10000]
                                             [--slice 5000]

For each size N, a database with N leaves of one issuer (random digests, written by
the database itself) and its merged ``digest_index`` is made three times (SQLite: a
copy of one file; PostgreSQL, with ``--postgres``: a fresh schema each), and each
takes ``--commits`` group commits of ``--group`` plain digests through
``SqlStore.commit``:

- **old index**: the index ``ix_leaves_digest`` of revisions 0003-0006 is rebuilt on
  ``leaves`` and the commit writes nothing else (what the notary did before);
- **no index**: nothing indexes the digests (the floor);
- **recent**: the commit as it is now, copying its digests into ``recent_digests``.

Each prints µs of CPU per digest (this process; on PostgreSQL also the server
backends of its connections, read from ``/proc``), wall µs and WAL bytes per digest
(SQLite: automatic checkpoints are off, so the WAL file grows by what the commits
wrote; PostgreSQL: the WAL position).  Then the digest indexer's pass over the recent
copy's backlog: µs of CPU and WAL bytes per merged row (without the checkpoint the
indexer runs after each slice), and the longest slice (on SQLite, the longest the
group commit can wait for the write lock).  Last (SQLite),
how fast a pure-Python loop on another thread runs while a merge runs, against the
same loop beside C code that never holds the GIL, three times.  Prints figures, asserts nothing;
the load average says how busy the shared machine was.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import patch

import psycopg
from sqlalchemy import Engine, event

from benchmarks import machine
from govchain_notary.receipt_ids import TAG_BYTES
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import CommitBatch, LeafBlock, PreparedLeaves
from govchain_notary.storage.sql import SqlStore

ISSUER = "0x" + "b1" * 20
VARIANTS = ("old index", "no index", "recent")
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"

_FILL_SQLITE = (
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {size}) "
    "INSERT INTO leaves (log_index, issuer_id, tag, digest, kind, salt, client_id, created_at) "
    "SELECT i, 1, randomblob(8), randomblob(32), 'certificate', randomblob(16), 1, 1.0 FROM n"
)
_FILL_POSTGRES = (
    "INSERT INTO leaves (log_index, issuer_id, tag, digest, kind, salt, client_id, created_at) "
    "SELECT i, 1, substr(sha256(('t' || i)::bytea), 1, 8), sha256(('d' || i)::bytea), "
    "'certificate', substr(sha256(('s' || i)::bytea), 1, 16), 1, 1.0 "
    "FROM generate_series(0, {size} - 1) AS i"
)
_FILL_INDEX = (
    "INSERT INTO digest_index SELECT digest, issuer_id, log_index FROM leaves "
    "ORDER BY digest, issuer_id, log_index"
)


@dataclass
class Database:
    """One database under test: its engine, and what its writes cost."""

    engine: Engine
    wal_bytes: Callable[[], int]
    backends: set[int] = field(default_factory=set)  # PostgreSQL server pids

    def server_cpu(self) -> float:
        """CPU seconds of the PostgreSQL backends serving this engine (0 on SQLite)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.backends:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


class SqliteFiles:
    """A base file per size, copied for each variant."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch

    def base(self, size: int) -> None:
        self.base_path = self.scratch / f"base-{size}.db"
        engine = make_engine(f"sqlite:///{self.base_path}")
        _fill(engine, size, _FILL_SQLITE)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()

    @contextmanager
    def variant(self, size: int, name: str) -> Iterator[Database]:
        path = self.scratch / f"{name.replace(' ', '-')}-{size}.db"
        shutil.copy(self.base_path, path)
        engine = make_engine(f"sqlite:///{path}", pool_size=2)
        event.listen(engine, "connect", _no_checkpoints)
        wal = Path(f"{path}-wal")
        yield Database(engine, lambda: wal.stat().st_size if wal.exists() else 0)
        engine.dispose()
        for leftover in self.scratch.glob(f"{path.name}*"):
            leftover.unlink()

    def done(self) -> None:
        self.base_path.unlink()


def _no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    """Keep the WAL: its size is then what the measured transactions wrote."""
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class PostgresSchemas:
    """A fresh schema, filled, per variant (PostgreSQL has no cheap file copy)."""

    def base(self, size: int) -> None:
        self.size = size

    @contextmanager
    def variant(self, size: int, name: str) -> Iterator[Database]:
        schema = "bench_digests_" + secrets.token_hex(4)
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
        engine = make_engine(url, pool_size=2)
        try:
            _fill(engine, size, _FILL_POSTGRES)
            with psycopg.connect(PG_DSN, autocommit=True) as admin:
                admin.execute(f'VACUUM ANALYZE "{schema}".leaves, "{schema}".digest_index')
            engine.dispose()
            database = Database(engine, lambda: _pg_wal_position(engine))
            event.listen(engine, "connect", lambda c, _r: _note_backend(c, database.backends))
            yield database
        finally:
            engine.dispose()
            with psycopg.connect(PG_DSN, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')

    def done(self) -> None:
        pass


def _note_backend(dbapi_connection: Any, backends: set[int]) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends.add(int(cursor.fetchone()[0]))
    dbapi_connection.commit()


def _pg_wal_position(engine: Engine) -> int:
    with engine.connect() as connection:
        lsn = connection.exec_driver_sql("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").scalar_one()
    return int(lsn)


def _fill(engine: Engine, size: int, fill: str) -> None:
    migrate(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO issuers (id, address) VALUES (1, '{ISSUER}')"  # noqa: S608
        )
        connection.exec_driver_sql(
            f"INSERT INTO logs (issuer, size) VALUES ('{ISSUER}', {int(size)})"  # noqa: S608
        )
        connection.exec_driver_sql(fill.format(size=int(size)))
        connection.exec_driver_sql(_FILL_INDEX)


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


@dataclass
class Cost:
    cpu: float
    wall: float
    wal: int

    def per(self, rows: int) -> str:
        return (
            f"{self.cpu / rows * 1e6:5.1f} us CPU, {self.wall / rows * 1e6:5.1f} us wall, "
            f"{self.wal / rows:5.0f} B WAL"
        )


@contextmanager
def measured(database: Database, into: list[Cost]) -> Iterator[None]:
    wal, server = database.wal_bytes(), database.server_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    into.append(Cost(cpu + database.server_cpu() - server, wall, database.wal_bytes() - wal))


def measure_commits(database: Database, size: int, args: argparse.Namespace, variant: str) -> None:
    store = SqlStore(database.engine)
    if variant == "old index":
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE INDEX ix_leaves_digest ON leaves (digest)")
    todo = batches(size, args.commits, args.group)
    store.unmerged_digests()  # counted before the clock starts, as the service does
    costs: list[Cost] = []
    with _recent_copy(enabled=variant == "recent"), measured(database, costs):
        for batch in todo:
            store.commit(batch)
    print(f"  commit, {variant:9}: {costs[0].per(args.commits * args.group)} per digest")
    if variant == "recent":
        measure_merge(database, store, args.slice)


def _recent_copy(enabled: bool) -> AbstractContextManager[object]:
    """The commit without its copy into ``recent_digests`` (the old and floor cases)."""
    if enabled:
        return nullcontext()
    return patch("govchain_notary.storage.sql.record_recent", return_value=0)


def measure_merge(database: Database, store: SqlStore, slice_rows: int) -> None:
    store.checkpoint_merges = False  # the WAL's growth is what the merge wrote
    rows, slowest, costs = store.unmerged_digests(), 0.0, list[Cost]()
    with measured(database, costs):
        for low, high in store.digest_slices(slice_rows):
            started = time.perf_counter()
            store.merge_digests(low, high)
            slowest = max(slowest, time.perf_counter() - started)
    print(
        f"  merge of {rows} in slices of {slice_rows}: {costs[0].per(rows)} per row,"
        f" longest slice {slowest * 1e3:.0f} ms"
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


def measure_gil(database: Database, size: int, args: argparse.Namespace) -> None:
    """Three times: a fresh backlog of half ``--commits`` commits is merged while this
    thread runs a pure-Python loop, then the loop runs as long beside C code that
    never holds the GIL; the ratio of the two rates is what the merge's hold on the
    GIL costs other Python threads (the machine's load moves both alike)."""
    store = SqlStore(database.engine)
    ratios, took = [], 0.0
    for _ in range(3):
        for batch in batches(size, max(1, args.commits // 2), args.group):
            store.commit(batch)
            size += args.group
        started = time.perf_counter()
        during = python_rate(busy=lambda: _merge_all(store, args.slice))
        took = time.perf_counter() - started
        control = python_rate(busy=partial(_hash_for, took))
        ratios.append(during / control)
    empty = _empty_slice_seconds(store)
    print(
        "  a pure-Python loop on another thread during a merge runs at "
        + ", ".join(f"{r:.0%}" for r in ratios)
        + f" of its rate beside GIL-free C code (SHA-256 of 1 MiB buffers; {took:.2f} s each);"
        f" a slice's Python work (an empty slice) takes {empty * 1e6:.0f} us"
    )


def _empty_slice_seconds(store: SqlStore, repeat: int = 200) -> float:
    """Wall time of merging an empty digest range: the transaction, statements and
    driver calls of a slice with no rows, an upper bound of the slice's time under the
    GIL (the SQLite work of a full slice runs with the GIL released)."""
    empty = (bytes(32), bytes(32))  # [0, 0) holds no digest
    started = time.perf_counter()
    for _ in range(repeat):
        store.merge_digests(*empty)
    return (time.perf_counter() - started) / repeat


def _merge_all(store: SqlStore, slice_rows: int) -> None:
    for low, high in store.digest_slices(slice_rows):
        store.merge_digests(low, high)


def _hash_for(seconds: float) -> None:
    """A control: busy CPU that never holds the GIL (hashlib releases it for big data)."""
    data, end = os.urandom(1 << 20), time.perf_counter() + seconds
    while time.perf_counter() < end:
        hashlib.sha256(data).digest()


def run(databases: SqliteFiles | PostgresSchemas, size: int, args: argparse.Namespace) -> None:
    print(f"{size} existing leaves, {args.backend} ({machine.describe()}):")
    databases.base(size)
    for variant in VARIANTS:
        with databases.variant(size, variant) as database:
            measure_commits(database, size, args, variant)
            if variant == "recent" and args.backend == "sqlite":
                measure_gil(database, size + args.commits * args.group, args)
    databases.done()
    print(f"  load average {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--postgres", action="store_true", help=f"on {PG_DSN} instead")
    parser.add_argument("--commits", type=int, default=10)
    parser.add_argument("--group", type=int, default=10_000)
    parser.add_argument("--slice", type=int, default=5_000)
    args = parser.parse_args()
    args.backend = "postgres" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory() as scratch:
        databases = PostgresSchemas() if args.postgres else SqliteFiles(Path(scratch))
        for size in args.sizes:
            run(databases, size, args)


if __name__ == "__main__":
    main()
