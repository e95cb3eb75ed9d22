"""The two-level digest lookup (``recent_digests`` + ``digest_index``) on every backend:
merges move digests without losing any, lookups during merges see every committed
digest, and revision 0008 builds the index from existing leaves and gives it back."""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from alembic import command
from sqlalchemy import inspect, text

from govchain_notary.storage.engine import alembic_config, make_engine, migrate
from govchain_notary.storage.memory import MemoryNotaryStore
from govchain_notary.storage.repos import CommitBatch, LeafBlock, PreparedLeaves, Store
from govchain_notary.storage.sql import SqlStore
from tests.integration.notary.conftest import BACKENDS, backend_url, make_api

ISSUER = "0x" + "11" * 20
OTHER = "0x" + "22" * 20


@pytest.fixture(params=["memory", *BACKENDS])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryNotaryStore()
        return
    engine = make_engine(backend_url(request, request.param))
    migrate(engine)
    sql_store = SqlStore(engine)
    yield sql_store
    sql_store.close()


def _digest(n: int) -> bytes:
    return hashlib.sha256(b"document %d" % n).digest()


def _name(digest: bytes) -> str:
    return "sha256:" + digest.hex()


def _commit(store: Store, issuer: str, first: int, digests: list[bytes]) -> None:
    """One plain block of ``digests`` at ``first``, as the writer commits it."""
    count = len(digests)
    tags = b"".join(
        hashlib.sha256(b"%s%d" % (issuer.encode(), first + k)).digest()[:8] for k in range(count)
    )
    leaves = PreparedLeaves("certificate", digests, [b"s" * 16] * count, tags, [b""] * count)
    block = LeafBlock(issuer, first, 1, 1.0 + first, leaves)
    store.commit(CommitBatch([block], {}, {issuer: first + count}))


def _positions(store: Store, digest: bytes) -> list[tuple[str, int]]:
    return [(r.issuer, r.log_index) for r in store.submissions_by_digest(_name(digest), 100)]


def test_digests_are_found_before_during_and_after_a_merge(store: Store) -> None:
    digests = [_digest(n) for n in range(60)]
    _commit(store, ISSUER, 0, digests[:40])
    _commit(store, OTHER, 0, digests[30:60])  # digests 30-39 under both issuers
    assert store.unmerged_digests() == 70
    slices = store.digest_slices(slice_rows=20)
    assert len(slices) == 4
    assert slices[0][0] == bytes(32)
    assert slices[-1][1] is None
    assert all(high == low for (_, high), (low, _) in itertools.pairwise(slices))
    expected = {d: _positions(store, d) for d in digests}
    assert expected[digests[35]] == [(ISSUER, 35), (OTHER, 5)]
    moved = 0
    for low, high in slices:
        moved += store.merge_digests(low, high)
        assert {d: _positions(store, d) for d in digests} == expected  # partly merged
    assert moved == 70
    assert store.unmerged_digests() == 0
    assert store.merge_digests(bytes(32), None) == 0
    _commit(store, ISSUER, 40, [digests[0]])  # a digest both merged and recent
    assert _positions(store, digests[0]) == [(ISSUER, 0), (ISSUER, 40)]
    assert store.unmerged_digests() == 1


def test_a_merge_moves_only_its_range(store: Store) -> None:
    digests = sorted(_digest(n) for n in range(10))
    _commit(store, ISSUER, 0, digests)
    assert store.merge_digests(digests[3], digests[7]) == 4
    assert store.unmerged_digests() == 6
    assert store.merge_digests(bytes(32), None) == 6
    assert all(_positions(store, d) for d in digests)


def test_a_rolled_back_commit_adds_no_recent_digest(store: Store) -> None:
    _commit(store, ISSUER, 0, [_digest(0)])
    with pytest.raises(Exception):  # noqa: B017, PT011  (IntegrityError or StoreError)
        _commit(store, ISSUER, 0, [_digest(1)])  # position 0 is taken
    assert store.unmerged_digests() == 1
    assert _positions(store, _digest(1)) == []


def test_lookups_during_merges_never_miss_a_committed_digest(store: Store) -> None:
    """One thread commits and merges in small slices while another looks up every
    digest committed so far, over and over."""
    committed = 0  # digests 0 .. committed-1 are durable
    done = threading.Event()
    missed: list[int] = []
    rounds = 0

    def write_and_merge() -> None:
        nonlocal committed
        try:
            for start in range(0, 400, 40):
                _commit(store, ISSUER, start, [_digest(n) for n in range(start, start + 40)])
                committed = start + 40
                for low, high in store.digest_slices(slice_rows=7):
                    store.merge_digests(low, high)
        finally:
            done.set()

    writer = threading.Thread(target=write_and_merge)
    writer.start()
    while not done.is_set() or rounds < 3:
        known = committed
        missed += [n for n in range(known) if _positions(store, _digest(n)) != [(ISSUER, n)]]
        rounds += 1
    writer.join()
    assert missed == []
    assert committed == 400
    assert rounds >= 3


def _leaves_0007(engine_url: str) -> SqlStore:
    """A database at revision 0007 holding 50 leaves of two issuers (no recent_digests
    yet), digest ``n % 25`` at position ``n``."""
    engine = make_engine(engine_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            text("INSERT INTO issuers (id, address) VALUES (1, :a), (2, :b)"),
            {"a": ISSUER, "b": OTHER},
        )
        rows = [
            {
                "i": n,
                "issuer": 1 + n % 2,
                "tag": b"t%07d" % n,
                "salt": b"s%015d" % n,
                "digest": _digest(n % 25),
            }
            for n in range(50)
        ]
        connection.execute(
            text(
                "INSERT INTO leaves (log_index, issuer_id, tag, digest, kind, salt, client_id,"
                " created_at) VALUES (:i, :issuer, :tag, :digest, 'certificate', :salt, 1, 2.0)"
            ),
            rows,
        )
    return SqlStore(engine)


def test_upgrade_to_0008_indexes_existing_leaves_and_downgrade_restores_the_index(
    database_url: str,
) -> None:
    store = _leaves_0007(database_url)
    engine, config = store.engine, alembic_config()
    migrate(engine)
    with engine.connect() as connection:
        indexes = {i["name"] for i in inspect(connection).get_indexes("leaves")}
        assert "ix_leaves_digest" not in indexes
        merged = connection.execute(text("SELECT count(*) FROM digest_index")).scalar()
    assert merged == 50
    assert store.unmerged_digests() == 0
    for n in range(25):  # digest n at positions n and n + 25, of issuer 1 + n % 2 each
        expected = sorted([((ISSUER, OTHER)[n % 2], n), ((ISSUER, OTHER)[(n + 25) % 2], n + 25)])
        assert sorted(_positions(store, _digest(n))) == expected
    _commit(store, ISSUER, 50, [_digest(3)])  # recent, beside the migrated ones
    assert len(_positions(store, _digest(3))) == 3
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        names = inspect(connection).get_table_names()
        assert "digest_index" not in names
        assert "recent_digests" not in names
        indexes = {i["name"] for i in inspect(connection).get_indexes("leaves")}
        assert "ix_leaves_digest" in indexes
        found = connection.execute(
            text("SELECT log_index FROM leaves WHERE digest = :d ORDER BY log_index"),
            {"d": _digest(3)},
        ).scalars()
        assert list(found) == [3, 28, 50]
    migrate(engine)  # and up again: the leaf committed at 0008 is indexed too
    assert len(_positions(SqlStore(engine), _digest(3))) == 3
    store.close()


def test_readyz_and_metrics_report_an_indexer_far_behind(database_url: str, tmp_path: Path) -> None:
    """An indexer that never merges (huge threshold and idle time) leaves its backlog
    visible; lookups still find the unmerged digests."""
    settings: dict[str, Any] = {
        "digest_merge_at": 10**9,
        "digest_merge_idle": 3600,
        "digest_index_lag_limit": 2,
    }
    for api in make_api(database_url, tmp_path, **settings):
        items = [{"digest": _name(_digest(n))} for n in range(3)]
        body = {"kind": "certificate", "items": items}
        answer = api.http.post("/v1/digests", json=body, headers=api.auth())
        assert answer.status_code == 202
        ready = api.http.get("/readyz").json()
        assert ready["ready"] is True
        assert ready["checks"]["digest_indexer"] is True
        assert ready["digest_index_behind"] == "3 digests wait to be merged"
        assert "govchain_notary_unmerged_digests 3.0" in api.http.get("/metrics").text
        found = api.http.get(f"/v1/digests/{_name(_digest(2))}").json()
        assert len(found["receipts"]) == 1
        api.service.indexer.merge_pass()
        assert api.http.get("/readyz").json()["digest_index_behind"] is None
        assert "govchain_notary_unmerged_digests 0.0" in api.http.get("/metrics").text


def test_a_pass_recounts_digests_another_process_merged(database_url: str) -> None:
    """Two notary processes (with other issuers) share a database: each merge pass
    starts from the table's count, not only from what this process added and moved."""
    engine = make_engine(database_url)
    migrate(engine)
    mine, theirs = SqlStore(engine), SqlStore(engine)
    assert mine.unmerged_digests() == theirs.unmerged_digests() == 0
    _commit(mine, ISSUER, 0, [_digest(n) for n in range(30)])
    _commit(theirs, OTHER, 0, [_digest(n) for n in range(30, 40)])
    assert mine.unmerged_digests() == 30
    assert theirs.merge_digests(bytes(32), None) == 40
    assert mine.unmerged_digests() == 30  # its own count, until its next pass
    assert mine.digest_slices(slice_rows=10) == [(bytes(32), None)]
    assert mine.unmerged_digests() == 0
    mine.close()


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_a_merge_gives_its_sqlite_connection_back_with_its_synchronous_setting(
    sqlite_url: str, synchronous: Literal["FULL", "NORMAL"]
) -> None:
    """A merge commits without an fsync; the connection the writer gets next from the
    pool (here the only one) must be as durable as configured."""
    engine = make_engine(sqlite_url, sqlite_synchronous=synchronous, pool_size=1)
    migrate(engine)
    store = SqlStore(engine)
    _commit(store, ISSUER, 0, [_digest(0)])
    assert store.merge_digests(bytes(32), None) == 1
    with engine.connect() as connection:
        level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    assert level == {"FULL": 2, "NORMAL": 1}[synchronous]
    store.close()
