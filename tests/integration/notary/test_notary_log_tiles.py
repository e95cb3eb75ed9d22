"""Log tiles in the notary's stores: the writer's appends and reloads, the readers'
cache, and ``govchain notary check-tiles``."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from govchain_core.log import MerkleLog
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import (
    FULL_TILE_BYTES,
    TileKey,
    tile_consistency_proof,
    tile_inclusion_proof,
    tile_interior,
    tile_root,
)
from govchain_notary.cli import notary_app
from govchain_notary.log_store import WriterLogs
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import (
    PREPARED,
    CheckpointRecord,
    CommitBatch,
    Store,
    submission_of,
)
from govchain_notary.storage.sql import SqlStore
from tests.integration.notary.log_rows import ISSUER, OTHER, leaf_blocks, leaf_row

ANCHOR = AnchorRef(1, "0x" + "ab" * 20, b"\x01" * 32, 7, b"\x02" * 32, 1_700_000_000)


def _commit_rows(store: Store, logs: WriterLogs, issuer: str, start: int, count: int) -> None:
    rows = [leaf_row(n, issuer) for n in range(start, start + count)]
    first = logs.append(issuer, [submission_of(row).leaf_hash for row in rows])
    assert first == start
    batch = CommitBatch(
        leaf_blocks(rows),
        logs.take_tiles(),
        {issuer: logs.size(issuer)},
        interiors=logs.take_interiors(),
    )
    store.commit(batch)


def _reference(issuer: str, size: int) -> MerkleLog:
    log = MerkleLog()
    log.append_many(submission_of(leaf_row(n, issuer)).leaf_hash for n in range(size))
    return log


def test_the_writer_reopens_its_tiles_after_a_failed_commit(store: Store) -> None:
    logs = WriterLogs(store, [ISSUER])
    _commit_rows(store, logs, ISSUER, 0, 300)
    rows = [leaf_row(n) for n in range(300, 600)]
    logs.append(ISSUER, [submission_of(row).leaf_hash for row in rows])
    clash = CommitBatch(leaf_blocks([*rows, leaf_row(0)]), logs.take_tiles(), {ISSUER: 600})
    with pytest.raises(Exception):  # noqa: B017, PT011  (IntegrityError or StoreError)
        store.commit(clash)
    logs.reload()
    assert logs.size(ISSUER) == 300
    _commit_rows(store, logs, ISSUER, 300, 213)
    reopened = WriterLogs(store, [ISSUER])
    assert reopened.logs[ISSUER].edges == logs.logs[ISSUER].edges
    reference = _reference(ISSUER, 513)
    tiles = store.tile_reader(ISSUER, 513)
    assert tile_root(tiles, 513) == reference.root()
    assert tile_inclusion_proof(tiles, 299, 513) == reference.inclusion_proof(299, 513)


def test_a_stored_tile_is_never_replaced_by_a_shorter_one(store: Store) -> None:
    logs = WriterLogs(store, [ISSUER])
    _commit_rows(store, logs, ISSUER, 0, 260)
    before = store.tile_reader(ISSUER, 260).read_tiles([(0, 0), (0, 1)])
    assert [len(tile) for tile in before] == [FULL_TILE_BYTES, 4 * 32]
    rows = [leaf_row(n) for n in range(260, 262)]
    shorter = {(0, 0): before[0][:64], (0, 1): b"\x00" * 32}
    store.commit(CommitBatch(leaf_blocks(rows), {ISSUER: shorter}, {ISSUER: 262}))
    assert store.tile_reader(ISSUER, 262).read_tiles([(0, 0), (0, 1)]) == before
    interior = tile_interior(before[0])[0]
    assert store.tile_reader(ISSUER, 262).read_tiles_with_interiors([(0, 0)]) == [
        (before[0], interior)
    ]


def test_full_tiles_are_stored_with_their_interiors(store: Store) -> None:
    """Each full tile gets its interior in the commit that fills it, partial ones none;
    proofs over them equal the reference.  (Upper tiles a reader caches get their
    pyramid: test_notary_tile_cache.)"""
    logs = WriterLogs(store, [ISSUER])
    _commit_rows(store, logs, ISSUER, 0, 200)
    keys = [(0, 0), (0, 1), (0, 2), (1, 0)]
    partial = store.tile_reader(ISSUER, 200).read_tiles_with_interiors(keys)
    assert [interior for _, interior in partial] == [b""] * 4
    _commit_rows(store, logs, ISSUER, 200, 400)
    found = store.tile_reader(ISSUER, 600).read_tiles_with_interiors(keys[:3])
    assert [len(tile) for tile, _ in found] == [FULL_TILE_BYTES, FULL_TILE_BYTES, 88 * 32]
    assert [interior for _, interior in found] == [
        tile_interior(found[0][0])[0],
        tile_interior(found[1][0])[0],
        b"",
    ]
    reference = _reference(ISSUER, 600)
    tiles = store.tile_reader(ISSUER, 600)
    for index in (0, 17, 255, 256, 300, 511, 512, 599):
        assert tile_inclusion_proof(tiles, index, 600) == reference.inclusion_proof(index, 600)


@pytest.fixture
def sql_store(database_url: str) -> Iterator[SqlStore]:
    engine = make_engine(database_url)
    migrate(engine)
    store = SqlStore(engine)
    yield store
    store.close()


class CountingFetch:
    """Wraps a reader's fetch and records the keys of every call."""

    def __init__(self, fetch: object) -> None:
        self.fetch = fetch
        self.calls: list[list[TileKey]] = []

    def __call__(self, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
        self.calls.append(list(keys))
        return self.fetch(keys)  # type: ignore[operator, no-any-return]


def test_a_warm_reader_fetches_one_level_0_tile_per_proof(sql_store: SqlStore) -> None:
    """Tiles of level 1 and up and the right-edge tile of the proofs' size come from the
    cache once read; each further proof fetches only the leaf's own level-0 tile."""
    size = 65536 + 300
    logs = WriterLogs(sql_store, [ISSUER])
    for start in range(0, size, 20_000):
        _commit_rows(sql_store, logs, ISSUER, start, min(20_000, size - start))
    reference = _reference(ISSUER, size)
    rng = random.Random(3)
    fetched: list[list[TileKey]] = []
    for _ in range(40):
        reader = sql_store.tile_reader(ISSUER, size)
        counting = CountingFetch(reader.fetch)
        reader.fetch = counting
        index = rng.randrange(size - 600)
        assert tile_inclusion_proof(reader, index, size) == reference.inclusion_proof(index, size)
        fetched += counting.calls
    assert len(fetched[0]) > 1  # the cold reader: upper and edge tiles too
    for keys in fetched[5:]:
        assert len(keys) == 1
        assert keys[0][0] == 0


def test_a_cached_edge_tile_too_narrow_for_a_larger_size_is_read_again(
    sql_store: SqlStore,
) -> None:
    logs = WriterLogs(sql_store, [ISSUER])
    _commit_rows(sql_store, logs, ISSUER, 0, 700)
    assert tile_root(sql_store.tile_reader(ISSUER, 700), 700) == _reference(ISSUER, 700).root()
    _commit_rows(sql_store, logs, ISSUER, 700, 90)
    reference = _reference(ISSUER, 790)
    tiles = sql_store.tile_reader(ISSUER, 790)
    assert tile_root(tiles, 790) == reference.root()
    assert tile_consistency_proof(tiles, 700, 790) == reference.consistency_proof(700, 790)
    assert tile_inclusion_proof(tiles, 1, 790) == reference.inclusion_proof(1, 790)


# --------------------------------------------------------------------------- check-tiles


def _anchor(store: Store, issuer: str, size: int, root: bytes, prev: int) -> None:
    store.prepare_checkpoint(CheckpointRecord(issuer, size, root, prev, PREPARED, 1))
    store.mark_anchored(issuer, size, ANCHOR)


@pytest.fixture
def checked(sql_store: SqlStore) -> SqlStore:
    """Two issuers' logs, with anchored checkpoints, as a notary leaves them."""
    logs = WriterLogs(sql_store, [ISSUER, OTHER])
    _commit_rows(sql_store, logs, ISSUER, 0, 1000)
    _anchor(sql_store, ISSUER, 1000, _reference(ISSUER, 1000).root(), 0)
    _commit_rows(sql_store, logs, ISSUER, 1000, 1100)
    _anchor(sql_store, ISSUER, 2100, _reference(ISSUER, 2100).root(), 1000)
    _commit_rows(sql_store, logs, ISSUER, 2100, 5)
    _commit_rows(sql_store, logs, OTHER, 0, 300)
    return sql_store


def _check(database_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(notary_app, ["check-tiles", "--database-url", database_url])
    return result.exit_code, result.output


def _execute(store: SqlStore, statement: str, **values: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_check_tiles_passes_on_a_sound_database(checked: SqlStore, database_url: str) -> None:
    code, output = _check(database_url)
    assert code == 0, output
    assert f"{ISSUER}: 2105 leaves, 10 tiles, 2 anchored checkpoints: ok" in output
    assert f"{OTHER}: 300 leaves, 3 tiles, 0 anchored checkpoints: ok" in output


def test_check_tiles_names_a_corrupted_tile(checked: SqlStore, database_url: str) -> None:
    tile = checked.stored_tiles(ISSUER)[(0, 3)]
    corrupted = tile[:100] + bytes([tile[100] ^ 1]) + tile[101:]
    _execute(
        checked,
        "UPDATE log_tiles SET hashes = :hashes WHERE level = 0 AND idx = 3 AND issuer_id ="
        " (SELECT id FROM issuers WHERE address = :issuer)",
        hashes=corrupted,
        issuer=ISSUER,
    )
    code, output = _check(database_url)
    assert code == 1
    assert "tile/0/003 differs from the leaves' hashes" in output
    assert f"{OTHER}: 300 leaves, 3 tiles, 0 anchored checkpoints: ok" in output


def test_check_tiles_names_a_wrong_or_missing_interior(
    checked: SqlStore, database_url: str
) -> None:
    interior = checked.stored_interiors(ISSUER)[(0, 3)]
    assert len(interior) == 30 * 32
    corrupted = interior[:100] + bytes([interior[100] ^ 1]) + interior[101:]
    for index, value in ((3, corrupted), (5, None), (8, interior)):
        _execute(
            checked,
            "UPDATE log_tiles SET interior = :interior WHERE level = 0 AND idx = :idx AND"
            " issuer_id = (SELECT id FROM issuers WHERE address = :issuer)",
            interior=value,
            idx=index,
            issuer=ISSUER,
        )
    code, output = _check(database_url)
    assert code == 1
    assert "tile/0/003 has a wrong interior" in output
    assert "tile/0/005 has no interior" in output
    assert "tile/0/008.p/57 has an interior but is not full" in output
    assert "tile/0/003 differs" not in output
    assert f"{OTHER}: 300 leaves, 3 tiles, 0 anchored checkpoints: ok" in output


def test_check_tiles_finds_missing_and_extra_tiles(checked: SqlStore, database_url: str) -> None:
    _execute(checked, "DELETE FROM log_tiles WHERE level = 1")
    _execute(
        checked,
        "INSERT INTO log_tiles (issuer_id, level, idx, hashes) SELECT id, 0, 9, :hashes"
        " FROM issuers WHERE address = :issuer",
        hashes=b"\x00" * 64,
        issuer=ISSUER,
    )
    code, output = _check(database_url)
    assert code == 1
    assert "tile/1/000.p/8 is missing" in output
    assert "tile/0/009.p/2 is stored beyond the log's size" in output


def test_check_tiles_compares_the_anchored_roots(checked: SqlStore, database_url: str) -> None:
    _execute(
        checked,
        "UPDATE checkpoints SET root = :root WHERE size = 1000",
        root=b"\x07" * 32,
    )
    code, output = _check(database_url)
    assert code == 1
    assert "root at anchored size 1000 differs" in output
    assert "root at anchored size 2100" not in output
