"""The storage suite, written once and run against SQLite, PostgreSQL and the fake."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, column, insert, inspect, select, table, text

from govchain_core.digest import parse_digest
from govchain_core.errors import TileError
from govchain_core.leaf import LeafRecord, leaf_from_object
from govchain_core.log import MerkleLog
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import (
    append_leaves,
    tile_inclusion_proof,
    tile_root,
)
from govchain_notary.errors import DuplicateError, StoreError
from govchain_notary.storage.engine import alembic_config, make_engine, migrate
from govchain_notary.storage.models import metadata
from govchain_notary.storage.repos import (
    ANCHORED,
    LEAF_COLUMNS,
    PREPARED,
    CheckpointRecord,
    ClientRecord,
    CommitBatch,
    IdempotencyRecord,
    LeafBlock,
    LeafRow,
    PreparedLeaves,
    Store,
    submission_of,
)
from govchain_notary.storage.sql import SqlStore
from govchain_notary.storage.sqlite_leaves import ROWS_PER_STATEMENT
from govchain_notary.tile_check import check_all
from tests.integration.notary.log_rows import (
    ISSUER,
    OTHER,
    StoredLog,
    append_rows,
    leaf_blocks,
    leaf_row,
)


def _client(name: str = "amt", key_hash: str = "a" * 64) -> ClientRecord:
    return ClientRecord(0, name, key_hash, ISSUER, ("submit:certificate",), 10.0, False, 1)


def test_clients_add_find_list_revoke(store: Store) -> None:
    added = store.add_client(_client())
    assert added.id > 0
    assert store.client_by_key_hash("a" * 64) == added
    assert store.client_by_key_hash("b" * 64) is None
    assert [c.name for c in store.list_clients()] == ["amt"]
    assert store.revoke_client("amt") is True
    assert store.revoke_client("nobody") is False
    found = store.client_by_key_hash("a" * 64)
    assert found is not None
    assert found.revoked


def test_client_names_are_unique(store: Store) -> None:
    store.add_client(_client())
    with pytest.raises(DuplicateError):
        store.add_client(_client(key_hash="b" * 64))


def test_commit_stores_submissions_and_log(store: Store) -> None:
    rows = [leaf_row(i) for i in range(37)]
    records = [submission_of(row) for row in rows]
    log = append_rows(store, ISSUER, rows[:20])
    log = append_rows(store, ISSUER, rows[20:])
    assert store.log_size(ISSUER) == 37
    assert store.log_sizes() == {ISSUER: 37}
    reference = MerkleLog()
    reference.append_many(r.leaf_hash for r in records)
    assert log.root() == reference.root()
    assert log.root(13) == reference.root(13)
    assert log.inclusion_proof(5, 30) == reference.inclusion_proof(5, 30)
    assert log.consistency_proof(7, 37) == reference.consistency_proof(7, 37)
    assert store.submission(records[3].receipt_id) == records[3]
    assert store.submission_at(ISSUER, 36) == records[36]
    assert store.submission_at(OTHER, 0) is None
    assert store.submission("0" * 32) is None
    assert store.submission(records[3].receipt_id[:16] + "ff" * 8) is None  # tag differs


def test_stored_rows_rebuild_the_core_leaf_record(store: Store) -> None:
    meta = hashlib.sha256(b"meta").digest()
    row: LeafRow = (
        0,
        ISSUER,
        b"\x07" * 8,
        b"\x01" * 32,
        "iot",
        b"\x02" * 16,
        meta,
        "eui-1",
        41,
        1,
        2.0,
        None,
    )
    append_rows(store, ISSUER, [row])
    found = store.submission("0" * 16 + "07" * 8)
    assert found is not None
    record = leaf_from_object(json.loads(found.leaf_json))
    assert (str(record.digest), str(record.meta), record.device, record.seq) == (
        "sha256:" + "01" * 32,
        "sha256:" + meta.hex(),
        "eui-1",
        41,
    )
    assert record.canonical_bytes() == found.leaf_json.encode()
    assert record.leaf_hash() == found.leaf_hash


def test_blocks_longer_than_one_insert_statement_keep_every_leaf(store: Store) -> None:
    """A plain block spans several of SQLite's multi-row statements (the last one
    short); it shares the commit with a block that has optional fields."""
    count = 2 * ROWS_PER_STATEMENT + 345
    plain = PreparedLeaves(
        "dataset",
        [hashlib.sha256(b"d%d" % index).digest() for index in range(count)],
        [hashlib.sha256(b"s%d" % index).digest()[:16] for index in range(count)],
        b"".join(index.to_bytes(8, "big") for index in range(count)),
        [],  # leaf hashes: the store derives them from the rows
    )
    meta = hashlib.sha256(b"meta").digest()
    iot = PreparedLeaves(
        "iot", [b"\x01" * 32] * 2, [b"\x02" * 16] * 2, b"\x09" * 16, [],
        [meta, None], ["eui-1", "eui-2"], [5, 6],
    )  # fmt: skip
    blocks = [LeafBlock(ISSUER, 0, 7, 3.25, plain), LeafBlock(ISSUER, count, 8, 4.5, iot)]
    rows = blocks[0].rows() + blocks[1].rows()
    step = append_leaves(0, (), [submission_of(row).leaf_hash for row in rows])
    store.commit(CommitBatch(blocks, {ISSUER: step.tiles}, {ISSUER: step.size}))
    for row in rows:
        assert store.submission_at(ISSUER, row[0]) == submission_of(row)
    last = submission_of(rows[count - 1])
    assert store.submission(last.receipt_id) == last
    assert store.submissions_by_digest(last.digest, 10) == [last]
    reference = MerkleLog()
    reference.append_many(submission_of(row).leaf_hash for row in rows)
    assert StoredLog(store, ISSUER).root() == reference.root()


def test_logs_are_per_issuer(store: Store) -> None:
    append_rows(store, ISSUER, [leaf_row(i) for i in range(3)])
    append_rows(store, OTHER, [leaf_row(i, OTHER) for i in range(5)])
    assert store.log_sizes() == {ISSUER: 3, OTHER: 5}
    assert store.log_size("0x" + "33" * 20) == 0


def test_a_proof_beyond_the_stored_tiles_raises_tile_error(store: Store) -> None:
    append_rows(store, ISSUER, [leaf_row(i) for i in range(3)])
    with pytest.raises(TileError):
        tile_inclusion_proof(store.tile_reader(ISSUER, 5), 0, 5)
    with pytest.raises(TileError):
        tile_root(store.tile_reader(OTHER, 1), 1)


def test_lookup_by_digest_returns_every_submission(store: Store) -> None:
    digest = "sha256:" + "ab" * 32
    rows = [leaf_row(0, digest=b"\xab" * 32), leaf_row(1), leaf_row(2, digest=b"\xab" * 32)]
    append_rows(store, ISSUER, rows)
    found = store.submissions_by_digest(digest, limit=10)
    assert [r.log_index for r in found] == [0, 2]
    assert found == [submission_of(rows[0]), submission_of(rows[2])]
    assert store.submissions_by_digest(digest, limit=1) == found[:1]
    assert store.submissions_by_digest("sha256:" + "cd" * 32, limit=10) == []
    assert store.submissions_by_digest("sha256:" + "AB" * 32, limit=10) == []


def test_receipts_by_digest_come_with_their_covering_checkpoints(store: Store) -> None:
    shared = b"\xab" * 32
    digest = "sha256:" + shared.hex()
    append_rows(
        store, ISSUER, [leaf_row(i, digest=shared if i % 3 == 0 else None) for i in range(9)]
    )
    append_rows(
        store, OTHER, [leaf_row(i, OTHER, shared if i in (1, 4) else None) for i in range(6)]
    )

    def receipts() -> list[tuple[int, str, int | None]]:
        found = store.receipts_by_digest(digest, 10)
        assert [s for s, _ in found] == store.submissions_by_digest(digest, 10)
        return [(s.log_index, s.issuer, c.size if c else None) for s, c in found]

    assert sorted(receipts()) == [
        (0, ISSUER, None),
        (1, OTHER, None),
        (3, ISSUER, None),
        (4, OTHER, None),
        (6, ISSUER, None),
    ]
    for issuer, size, prev in [(ISSUER, 2, 0), (ISSUER, 4, 2), (OTHER, 5, 0)]:
        store.prepare_checkpoint(replace(_checkpoint(size, prev), issuer=issuer))
        store.mark_anchored(issuer, size, FACTS)
    store.prepare_checkpoint(_checkpoint(7, 4))  # prepared only: 6 stays pending
    assert sorted(receipts()) == [
        (0, ISSUER, 2),
        (1, OTHER, 5),
        (3, ISSUER, 4),
        (4, OTHER, 5),
        (6, ISSUER, None),
    ]
    assert store.receipts_by_digest("sha256:" + "cd" * 32, 10) == []


def test_commit_is_atomic(store: Store) -> None:
    append_rows(store, ISSUER, [leaf_row(0)])
    clash = CommitBatch(leaf_blocks([leaf_row(1), leaf_row(0)]), {}, {ISSUER: 2})
    with pytest.raises(Exception):  # noqa: B017, PT011  (IntegrityError or StoreError)
        store.commit(clash)
    assert store.log_size(ISSUER) == 1
    assert store.submission(submission_of(leaf_row(1)).receipt_id) is None


def test_idempotency_answers(store: Store) -> None:
    answer = IdempotencyRecord(1, "key-1", "f" * 64, ("r1", "r2"), 5)
    store.commit(CommitBatch(idempotency=[answer]))
    assert store.idempotency(1, "key-1") == answer
    assert store.idempotency(2, "key-1") is None
    with pytest.raises(Exception):  # noqa: B017, PT011
        store.commit(CommitBatch(idempotency=[answer]))


def _checkpoint(size: int, prev: int = 0) -> CheckpointRecord:
    return CheckpointRecord(ISSUER, size, bytes([size % 256]) * 32, prev, PREPARED, 7)


FACTS = AnchorRef(1337, "0x" + "a5" * 20, b"\x01" * 32, 9, b"\x02" * 32, 1_700_000_000)


def test_checkpoint_lifecycle(store: Store) -> None:
    assert store.latest_anchored(ISSUER) is None
    store.prepare_checkpoint(_checkpoint(4))
    store.prepare_checkpoint(_checkpoint(4))  # idempotent
    assert store.latest_anchored(ISSUER) is None
    store.mark_anchored(ISSUER, 4, FACTS)
    store.prepare_checkpoint(_checkpoint(10, 4))
    store.mark_anchored(ISSUER, 10, FACTS)
    store.prepare_checkpoint(_checkpoint(12, 10))
    latest = store.latest_anchored(ISSUER)
    assert latest is not None
    assert (latest.size, latest.state, latest.anchor) == (10, ANCHORED, FACTS)
    covering = store.covering_checkpoint(ISSUER, 4)
    assert covering is not None
    assert covering.size == 10
    assert store.covering_checkpoint(ISSUER, 10) is None
    assert [c.size for c in store.anchored_checkpoints(ISSUER, 10)] == [10, 4]
    assert [c.size for c in store.anchored_checkpoints(ISSUER, 10, before=10)] == [4]
    prepared = store.checkpoint(ISSUER, 12)
    assert prepared is not None
    assert prepared.state == PREPARED
    store.discard_prepared(ISSUER, above=10)
    assert store.checkpoint(ISSUER, 12) is None
    assert store.checkpoint(ISSUER, 10) is not None


def test_a_checkpoint_another_process_anchored_covers_its_leaves(database_url: str) -> None:
    """Two stores on one database, as two notary processes: the reader keeps the
    anchored checkpoints it has seen in memory, yet never calls a leaf pending that
    the other anchored since (it asks the database when memory knows no cover)."""
    engines = [make_engine(database_url), make_engine(database_url)]
    migrate(engines[0])
    writer, reader = SqlStore(engines[0]), SqlStore(engines[1])
    try:
        writer.prepare_checkpoint(_checkpoint(4))
        writer.mark_anchored(ISSUER, 4, FACTS)
        covering = reader.covering_checkpoint(ISSUER, 3)
        assert covering is not None
        assert covering.size == 4
        assert reader.covering_checkpoint(ISSUER, 4) is None  # still pending
        writer.prepare_checkpoint(_checkpoint(10, 4))
        assert reader.covering_checkpoint(ISSUER, 4) is None  # prepared is not anchored
        writer.mark_anchored(ISSUER, 10, FACTS)
        writer.prepare_checkpoint(_checkpoint(16, 10))
        writer.mark_anchored(ISSUER, 16, FACTS)
        assert [reader.covering_checkpoint(ISSUER, i) for i in (3, 4, 9, 10, 15)] == [
            writer.checkpoint(ISSUER, size) for size in (4, 10, 10, 16, 16)
        ]
        assert reader.covering_checkpoint(ISSUER, 16) is None
        assert reader.covering_checkpoint(OTHER, 0) is None
    finally:
        writer.close()
        reader.close()


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_covering_checkpoints_beyond_what_memory_keeps(database_url: str, order: str) -> None:
    """A reader keeping two checkpoints in memory finds the same covering checkpoint as
    the database for every leaf, before and after more are anchored elsewhere."""
    engines = [make_engine(database_url), make_engine(database_url)]
    migrate(engines[0])
    writer, reader = SqlStore(engines[0]), SqlStore(engines[1], anchored_capacity=2)
    anchored: list[int] = []

    def anchor(sizes: list[int]) -> None:
        for size in sizes:
            writer.prepare_checkpoint(_checkpoint(size, anchored[-1] if anchored else 0))
            writer.mark_anchored(ISSUER, size, FACTS)
            anchored.append(size)

    def check() -> None:
        leaves = range(25) if order == "ascending" else range(24, -1, -1)
        found = {i: reader.covering_checkpoint(ISSUER, i) for i in leaves}
        assert {i: c.size if c else None for i, c in found.items()} == {
            i: next((size for size in anchored if size > i), None) for i in leaves
        }
        assert all(c == writer.checkpoint(ISSUER, c.size) for c in found.values() if c)

    try:
        anchor([3, 5, 6, 9])
        check()
        anchor([12, 13, 20])
        check()
    finally:
        writer.close()
        reader.close()


def test_migrations_match_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # a second start is a no-op
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == []
    engine.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    engine.dispose()


def test_storage_error_is_a_notary_error() -> None:
    assert issubclass(DuplicateError, StoreError)


def test_proofs_match_the_reference_across_stored_and_computed_levels(store: Store) -> None:
    rows = [leaf_row(i) for i in range(300)]
    start = 0
    for size in (1, 2, 13, 16, 17, 100, 151):
        append_rows(store, ISSUER, rows[start : start + size])
        start += size
    log = StoredLog(store, ISSUER)
    reference = MerkleLog()
    reference.append_many(submission_of(row).leaf_hash for row in rows)
    for size in (1, 7, 16, 31, 64, 200, 300):
        assert log.root(size) == reference.root(size)
        for index in (0, size // 3, size - 1):
            assert log.inclusion_proof(index, size) == reference.inclusion_proof(index, size)
    for old, new in ((1, 300), (15, 17), (64, 129), (100, 300)):
        assert log.consistency_proof(old, new) == reference.consistency_proof(old, new)


def _old_leaf(index: int, meta: bool) -> LeafRecord:
    return LeafRecord(
        kind="iot" if meta else "certificate",
        digest=parse_digest("sha256:" + hashlib.sha256(b"doc%d" % index).hexdigest()),
        salt=hashlib.sha256(b"salt%d" % index).digest()[:16],
        issuer=ISSUER,
        meta=parse_digest("sha256:" + "0e" * 32) if meta else None,
        device="eui-7" if meta else None,
        seq=index if meta else None,
    )


def _old_rows(count: int) -> list[dict[str, object]]:
    """Rows as revision 0001 stored them: whole leaf JSON, leaf hash, random receipt id."""
    rows = []
    for index in range(count):
        leaf = _old_leaf(index, meta=index % 2 == 1)
        rows.append(
            {
                "receipt_id": hashlib.sha256(b"id%d" % index).hexdigest()[:32],
                "issuer": ISSUER,
                "log_index": index,
                "digest": str(leaf.digest),
                "kind": leaf.kind,
                "leaf_json": leaf.canonical_bytes().decode(),
                "leaf_hash": leaf.leaf_hash(),
                "client_id": 1,
                "created_at": 10.0 + index,
            }
        )
    return rows


def test_upgrade_from_0001_keeps_receipts_and_downgrade_restores_them(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    old = _old_rows(5)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO submissions (receipt_id, issuer, log_index, digest, kind, leaf_json,"
                " leaf_hash, client_id, created_at) VALUES (:receipt_id, :issuer, :log_index,"
                " :digest, :kind, :leaf_json, :leaf_hash, :client_id, :created_at)"
            ),
            old,
        )
    migrate(engine)
    store = SqlStore(engine)
    for row in old:
        found = store.submission(str(row["receipt_id"]))
        assert found is not None
        assert (found.receipt_id, found.leaf_json, found.leaf_hash) == (
            row["receipt_id"],
            row["leaf_json"],
            row["leaf_hash"],
        )
        assert store.submissions_by_digest(str(row["digest"]), 10) == [found]
    append_rows(store, ISSUER, [leaf_row(5)])  # new rows go beside the migrated ones
    new_id = submission_of(leaf_row(5)).receipt_id
    assert store.submission(new_id) == submission_of(leaf_row(5))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        restored = connection.execute(
            text("SELECT receipt_id, leaf_json, leaf_hash FROM submissions ORDER BY log_index")
        ).all()
    expected = [(r["receipt_id"], r["leaf_json"], r["leaf_hash"]) for r in old]
    expected.append(
        (new_id, submission_of(leaf_row(5)).leaf_json, submission_of(leaf_row(5)).leaf_hash)
    )
    assert [(r[0], r[1], bytes(r[2])) for r in restored] == expected
    engine.dispose()


def test_an_issuer_added_by_a_rolled_back_commit_is_not_remembered(store: Store) -> None:
    third = "0x" + "33" * 20
    append_rows(store, ISSUER, [leaf_row(0)])
    clash = CommitBatch(leaf_blocks([leaf_row(0, OTHER), leaf_row(1), leaf_row(0)]), {}, {})
    with pytest.raises(Exception):  # noqa: B017, PT011  (IntegrityError or StoreError)
        store.commit(clash)
    # the id OTHER had in the rolled-back transaction is free again: the next new
    # issuer may get it, and OTHER must then get another one
    append_rows(store, third, [leaf_row(0, third)])
    append_rows(store, OTHER, [leaf_row(0, OTHER)])
    assert store.submission_at(third, 0) == submission_of(leaf_row(0, third))
    assert store.submission_at(OTHER, 0) == submission_of(leaf_row(0, OTHER))
    assert store.submission_at(ISSUER, 0) == submission_of(leaf_row(0))


_COLUMNS_0002 = (*LEAF_COLUMNS[:11], "legacy_id")  # a row of revision 0002, in order
LEAVES_0002 = table("leaves", *(column(name) for name in _COLUMNS_0002))
Row0002 = tuple[object, ...]


def _rows_0002() -> list[tuple[LeafRow, str | None]]:
    """Rows of two issuers (with their legacy receipt ids) as revision 0002 stores them:
    some kept from 0001 with a legacy id and no tag, some with meta, device and seq,
    some digests under both issuers.  A log of 12 needs no stored node for proofs."""
    rows: list[tuple[LeafRow, str | None]] = []
    for issuer in (OTHER, ISSUER):
        for index in range(12):
            shared = index % 3 == 0
            digest = hashlib.sha256(b"doc%d" % index + (b"" if shared else issuer.encode()))
            row = leaf_row(index, issuer, digest.digest())
            if index % 4 == 1:
                meta = hashlib.sha256(b"meta%d" % index).digest()
                row = (*row[:4], "iot", row[5], meta, "eui-9", index, 2, 3.0, None)
            if index < 4:
                rows.append(((row[0], row[1], None, *row[3:]), f"{issuer[2:6]}{index:028x}"))
            else:
                rows.append((row, None))
    return rows


def _stored_0002(connection: Connection) -> list[Row0002]:
    ordered = select(LEAVES_0002).order_by(LEAVES_0002.c.issuer, LEAVES_0002.c.log_index)
    found = connection.execute(ordered)
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found]


def test_upgrade_from_0002_gives_issuer_ids_and_downgrade_restores_addresses(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    old = _rows_0002()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            insert(LEAVES_0002),
            [dict(zip(_COLUMNS_0002, (*row[:11], legacy), strict=True)) for row, legacy in old],
        )
        connection.execute(
            text("INSERT INTO logs (issuer, size) VALUES (:issuer, 12)"),
            [{"issuer": ISSUER}, {"issuer": OTHER}],
        )
        before = _stored_0002(connection)
    migrate(engine)
    with engine.connect() as connection:
        ids: dict[str, int] = {
            str(row[0]): int(row[1])
            for row in connection.execute(text("SELECT address, id FROM issuers"))
        }
        assert sorted(ids) == sorted([ISSUER, OTHER])
        keys = connection.execute(text("SELECT issuer_id, log_index FROM leaves")).all()
        assert sorted((int(k[0]), int(k[1])) for k in keys) == sorted(
            (ids[row[1]], row[0]) for row, _ in old
        )
    store = SqlStore(engine)
    for row, legacy in old:
        expected = submission_of(row, legacy)
        assert store.submission(expected.receipt_id) == expected
        assert store.submission_at(row[1], row[0]) == expected
        assert expected in store.submissions_by_digest(expected.digest, 10)
    for issuer in (ISSUER, OTHER):
        log = StoredLog(store, issuer)
        reference = MerkleLog()
        reference.append_many(submission_of(r, g).leaf_hash for r, g in old if r[1] == issuer)
        assert log.root() == reference.root()
        assert log.inclusion_proof(5, 12) == reference.inclusion_proof(5, 12)
        assert log.consistency_proof(3, 12) == reference.consistency_proof(3, 12)
    third = "0x" + "00" * 20  # a new issuer: the highest id, the first address
    shared = old[0][0][3]
    append_rows(store, ISSUER, [leaf_row(12)])  # beside the migrated rows, under the same id
    append_rows(store, third, [leaf_row(0, third, shared)])
    assert store.submission_at(ISSUER, 12) == submission_of(leaf_row(12))
    assert store.submission_at(third, 0) == submission_of(leaf_row(0, third, shared))
    found = store.submissions_by_digest("sha256:" + shared.hex(), 10)  # same created_at
    assert [(r.issuer, r.log_index) for r in found] == [(third, 0), (ISSUER, 0), (OTHER, 0)]
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        assert "issuers" not in inspect(connection).get_table_names()
        after = _stored_0002(connection)
    added: list[Row0002] = [(*leaf_row(0, third, shared)[:11], None), (*leaf_row(12)[:11], None)]
    assert after == [added[0], *before[:12], added[1], *before[12:]]  # by issuer, index
    migrate(engine)  # and up again
    assert SqlStore(engine).submission_at(third, 0) == submission_of(leaf_row(0, third, shared))
    engine.dispose()


_LEAF_COLUMNS_0006 = (*LEAF_COLUMNS[:1], "issuer_id", *LEAF_COLUMNS[2:], "legacy_id")
LEAVES_0006 = table("leaves", *(column(name) for name in _LEAF_COLUMNS_0006))
LOG_NODES = table("log_nodes", column("issuer"), column("level"), column("idx"), column("hash"))
_SIZES_0006 = {ISSUER: 3 * 256 * 4 + 77, OTHER: 300}  # 3149 leaves: tiles of levels 0 and 1


def _stored_nodes(connection: Connection) -> list[tuple[str, int, int, bytes]]:
    found = connection.execute(select(LOG_NODES))
    return sorted((str(r[0]), int(r[1]), int(r[2]), bytes(r[3])) for r in found)


def _fill_0006(connection: Connection) -> dict[str, list[bytes]]:
    """Leaves, log sizes and ``log_nodes`` as revision 0006's writer stored them."""
    references: dict[str, list[bytes]] = {}
    for issuer_id, (issuer, size) in enumerate(sorted(_SIZES_0006.items()), 1):
        connection.execute(text("INSERT INTO issuers (id, address) VALUES (:id, :address)"),
                           {"id": issuer_id, "address": issuer})  # fmt: skip
        rows = [leaf_row(index, issuer) for index in range(size)]
        values = [(r[0], issuer_id, *r[2:], None) for r in rows]
        connection.execute(
            insert(LEAVES_0006), [dict(zip(_LEAF_COLUMNS_0006, v, strict=True)) for v in values]
        )
        connection.execute(text("INSERT INTO logs (issuer, size) VALUES (:issuer, :size)"),
                           {"issuer": issuer, "size": size})  # fmt: skip
        nodes: list[tuple[int, int, bytes]] = []
        hashes = [submission_of(r).leaf_hash for r in rows]
        MerkleLog(_NodeSink(nodes)).append_many(hashes)
        kept = [(lv, ix, h) for lv, ix, h in nodes if lv >= 4]  # what 0006's writer stored
        connection.execute(
            insert(LOG_NODES),
            [{"issuer": issuer, "level": lv, "idx": ix, "hash": h} for lv, ix, h in kept],
        )
        references[issuer] = hashes
    return references


class _NodeSink:
    def __init__(self, sink: list[tuple[int, int, bytes]]) -> None:
        self.sink = sink

    def get_nodes(self, keys: Sequence[tuple[int, int]]) -> list[bytes]:
        raise AssertionError("append must not read nodes")

    def add_nodes(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        self.sink.extend(nodes)


def _check_tiles_against(store: SqlStore, references: dict[str, list[bytes]]) -> None:
    for issuer, hashes in references.items():
        size, reference = len(hashes), MerkleLog()
        reference.append_many(hashes)
        made = append_leaves(0, (), hashes)
        assert store.stored_tiles(issuer) == made.tiles
        assert store.stored_interiors(issuer) == made.interiors
        assert made.interiors
        log = StoredLog(store, issuer)
        for at in (1, 255, 256, 257, size // 2, size - 1, size):
            assert log.root(at) == reference.root(at)
            assert log.inclusion_proof(at // 3, at) == reference.inclusion_proof(at // 3, at)
            assert log.consistency_proof(at, size) == reference.consistency_proof(at, size)


def test_migration_0007_builds_tiles_from_the_leaves_and_downgrade_rebuilds_log_nodes(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        references = _fill_0006(connection)
        nodes_before = _stored_nodes(connection)
    assert len(nodes_before) > 100
    migrate(engine)
    store = SqlStore(engine)
    _check_tiles_against(store, references)
    assert all(report.ok for report in check_all(store))
    with engine.begin() as connection:
        assert "log_nodes" not in inspect(connection).get_table_names()
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
        assert "log_tiles" not in inspect(connection).get_table_names()
        assert _stored_nodes(connection) == nodes_before
    migrate(engine)  # and up again, from the rebuilt nodes' leaves
    _check_tiles_against(SqlStore(engine), references)
    engine.dispose()
