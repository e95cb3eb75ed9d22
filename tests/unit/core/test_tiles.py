"""The log as C2SP tlog-tiles: paths, geometry, appends, and roots and proofs equal to
the reference ``MerkleLog``'s."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest

from govchain_core import tiles as tiles_module
from govchain_core.errors import ProofError, TileError
from govchain_core.log import MerkleLog
from govchain_core.merkle import leaf_hash
from govchain_core.tiles import (
    FULL_TILE_BYTES,
    INTERIOR_BYTES,
    MemoryTiles,
    Tile,
    TileKey,
    append_leaves,
    edge_widths,
    edges_of,
    parse_tile_path,
    tile_consistency_proof,
    tile_inclusion_proof,
    tile_interior,
    tile_leaf_hash,
    tile_path,
    tile_pyramid,
    tile_root,
    tiles_for_size,
)

TILE_LEAVES = 256
BIG = 3 * 256**2 + 5


def leaves(count: int, start: int = 0) -> list[bytes]:
    return [leaf_hash(n.to_bytes(4, "big")) for n in range(start, start + count)]


class TiledLog:
    """A tiled log grown with ``append_leaves``, its tiles in memory."""

    def __init__(self) -> None:
        self.store = MemoryTiles()
        self.size = 0
        self.edges: tuple[bytes, ...] = ()

    def append(self, hashes: Sequence[bytes]) -> None:
        step = append_leaves(self.size, self.edges, hashes)
        self.store.write_tiles(step.tiles, step.interiors)
        self.size, self.edges = step.size, step.edges


class CountingReader:
    """Records the keys of every ``read_tiles`` call."""

    def __init__(self, backing: MemoryTiles) -> None:
        self.backing = backing
        self.calls: list[list[TileKey]] = []

    def read_tiles(self, keys: Sequence[TileKey]) -> list[bytes]:
        self.calls.append(list(keys))
        return self.backing.read_tiles(keys)


@pytest.fixture(scope="module")
def big() -> tuple[MerkleLog, TiledLog]:
    hashes = leaves(BIG)
    reference = MerkleLog()
    reference.append_many(hashes)
    tiled = TiledLog()
    rng = random.Random(7)
    position = 0
    while position < BIG:
        step = rng.randrange(1, 3000)
        tiled.append(hashes[position : position + step])
        position += step
    return reference, tiled


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 1234067, 1), "tile/0/x001/x234/067.p/1"),
        (Tile(3, 1234067, 255), "tile/3/x001/x234/067.p/255"),
        (Tile(0, 0), "tile/0/000"),
        (Tile(1, 0, 66), "tile/1/000.p/66"),
        (Tile(2, 999), "tile/2/999"),
        (Tile(2, 1000), "tile/2/x001/000"),
        (Tile(0, 1_000_000), "tile/0/x001/x000/000"),
        (Tile(63, 5), "tile/63/005"),
    ],
)
def test_tile_paths_follow_the_spec(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert parse_tile_path(path) == tile


def test_every_index_round_trips() -> None:
    rng = random.Random(1)
    for index in [*range(2100), *(rng.randrange(2**56) for _ in range(2000))]:
        for width in (1, 17, 255, 256):
            assert parse_tile_path(tile_path(0, index, width)) == Tile(0, index, width)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/67",  # not three digits
        "tile/0/0067",
        "tile/0/x000/067",  # a leading zero group
        "tile/0/001/234",  # inner group without x
        "tile/0/x001/x234",  # last group with x
        "tile/00/067",  # level with a leading zero
        "tile/64/000",  # level above 63
        "tile/-1/000",
        "tile/0/067.p/0",  # width 0
        "tile/0/067.p/256",  # a full tile has no .p
        "tile/0/067.p/007",  # width with leading zeros
        "tile/0/067.p/",
        "tile/0/067.p",
        "tile/entries/000",  # entry bundles are not hash tiles
        "tile/0/000/",
        "tiles/0/000",
        "tile/0",
        "tile/0/x001/x002/x003/x004/x005/x006/x007/008",  # beyond any 64-bit tree
        "tile/0/0x1",
        "tile/0/ 67",
    ],
)
def test_non_canonical_paths_are_rejected(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width"), [(64, 0, 1), (-1, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)]
)
def test_impossible_coordinates_have_no_path(level: int, index: int, width: int) -> None:
    with pytest.raises(TileError):
        tile_path(level, index, width)


# --------------------------------------------------------------------------- geometry


def test_tiles_of_a_size() -> None:
    size = 2 * 65536 + 3 * 256 + 7
    tiles = tiles_for_size(size)
    assert [t for t in tiles if t.width < TILE_LEAVES] == [
        Tile(0, 2 * 256 + 3, 7),
        Tile(1, 2, 3),
        Tile(2, 0, 2),
    ]
    assert sum(1 for t in tiles if t.level == 0) == 2 * 256 + 3 + 1
    assert sum(1 for t in tiles if t.level == 1) == 2 + 1
    assert edge_widths(size) == [7, 3, 2]
    assert edge_widths(65536) == [0, 0, 1]
    assert tiles_for_size(0) == []
    assert edge_widths(0) == []


def test_the_store_holds_exactly_the_tiles_of_its_size(big: tuple[MerkleLog, TiledLog]) -> None:
    _, tiled = big
    stored = {key: len(blob) // 32 for key, blob in tiled.store.tiles.items()}
    assert stored == {t.key: t.width for t in tiles_for_size(BIG)}


# --------------------------------------------------------------------------- appends


def test_batches_of_any_size_write_the_same_tiles_as_single_appends() -> None:
    hashes = leaves(70_000)
    single = TiledLog()
    for leaf in hashes:
        single.append([leaf])
    rng = random.Random(3)
    for _ in range(3):
        batched, position = TiledLog(), 0
        while position < len(hashes):
            step = rng.choice([1, 2, rng.randrange(1, 300), rng.randrange(1, 70_000)])
            batched.append(hashes[position : position + step])
            position += step
        assert batched.store.tiles == single.store.tiles
        assert batched.edges == single.edges


def test_an_append_writes_only_full_tiles_and_grown_edges() -> None:
    tiled = TiledLog()
    tiled.append(leaves(300))
    step = append_leaves(tiled.size, tiled.edges, leaves(212, 300))
    assert step.size == 512
    assert sorted(step.tiles) == [(0, 1), (1, 0)]
    assert len(step.tiles[(0, 1)]) == FULL_TILE_BYTES
    assert len(step.tiles[(1, 0)]) == 2 * 32
    assert step.edges == (b"", step.tiles[(1, 0)])
    assert append_leaves(512, step.edges, []).tiles == {}


def test_appends_check_their_inputs() -> None:
    with pytest.raises(TileError):
        append_leaves(5, [b"\x00" * 32 * 4], leaves(1))
    with pytest.raises(TileError):
        append_leaves(256, [b""], leaves(1))  # level 1 missing
    with pytest.raises(ValueError, match="32 bytes"):
        append_leaves(0, [], [b"short"])


def test_a_writer_reopens_its_edges_from_the_store(big: tuple[MerkleLog, TiledLog]) -> None:
    _, tiled = big
    assert edges_of(tiled.store, tiled.size) == tiled.edges
    assert edges_of(tiled.store, 65536 + 300) == (
        tiled.store.tiles[(0, 257)][: 44 * 32],
        tiled.store.tiles[(1, 1)][:32],
        tiled.store.tiles[(2, 0)][:32],
    )
    with pytest.raises(TileError):
        edges_of(MemoryTiles(), 5)


# --------------------------------------------------------------------------- roots and proofs


def test_roots_at_every_size_equal_the_reference() -> None:
    reference, tiled = MerkleLog(), TiledLog()
    edges = MemoryTiles()
    for leaf in leaves(BIG):
        reference.append(leaf)
        step = append_leaves(tiled.size, tiled.edges, [leaf])
        tiled.size, tiled.edges = step.size, step.edges
        edges.tiles = {
            (level, (step.size >> (8 * level)) // 256): edge
            for level, edge in enumerate(step.edges)
        }
        assert tile_root(edges, step.size) == reference.root(), step.size


def edge_sizes() -> list[int]:
    sizes = {k * 256 + d for k in range(1, BIG // 256 + 1) for d in (-2, -1, 0, 1, 2)}
    sizes |= {k * 65536 + d for k in range(1, 4) for d in (-2, -1, 0, 1, 2)}
    return sorted(size for size in sizes if 1 <= size <= BIG)


def probe_points(size: int, rng: random.Random) -> list[int]:
    points = {0, 1, size // 2, size - 1, size - 2, size - 256, size - 257, rng.randrange(size)}
    points |= {(size // 256) * 256 + d for d in (-1, 0, 1)}
    points |= {(size // 65536) * 65536 + d for d in (-1, 0, 1)}
    return sorted(p for p in points if 0 <= p < size)


def test_proofs_at_tile_edges_equal_the_reference(big: tuple[MerkleLog, TiledLog]) -> None:
    reference, tiled = big
    rng = random.Random(11)
    for size in edge_sizes():
        assert tile_root(tiled.store, size) == reference.root(size)
        for point in probe_points(size, rng):
            assert tile_inclusion_proof(tiled.store, point, size) == reference.inclusion_proof(
                point, size
            ), (point, size)
            old = point + 1
            assert tile_consistency_proof(tiled.store, old, size) == reference.consistency_proof(
                old, size
            ), (old, size)


def test_random_proofs_equal_the_reference(big: tuple[MerkleLog, TiledLog]) -> None:
    reference, tiled = big
    rng = random.Random(5)
    for _ in range(3000):
        size = rng.randrange(1, BIG + 1)
        index, old = rng.randrange(size), rng.randrange(size + 1)
        assert tile_inclusion_proof(tiled.store, index, size) == reference.inclusion_proof(
            index, size
        )
        assert tile_consistency_proof(tiled.store, old, size) == reference.consistency_proof(
            old, size
        )
        assert tile_leaf_hash(tiled.store, index) == reference.leaf(index)


def tile_on_path(level: int, leaf: int) -> TileKey:
    return (level, leaf >> (8 * (level + 1)))


def test_a_proof_reads_its_path_tile_and_the_edge_tile_per_level(
    big: tuple[MerkleLog, TiledLog],
) -> None:
    """One read per proof; per level the tile on the leaf's path and the right-edge tile
    of the size: a single tile when the leaf is in the last tile of that level."""
    _, tiled = big
    rng = random.Random(13)
    for _ in range(2000):
        size = rng.randrange(1, BIG + 1)
        index, old = rng.randrange(size), rng.randrange(1, size + 1)
        reader = CountingReader(tiled.store)
        tile_inclusion_proof(reader, index, size)
        assert len(reader.calls) <= 1
        for key in reader.calls[0] if reader.calls else []:
            assert key in (tile_on_path(key[0], index), tile_on_path(key[0], size - 1))
        for level in range(3):
            read = [key for call in reader.calls for key in call if key[0] == level]
            if tile_on_path(level, index) == tile_on_path(level, size - 1):
                assert len(read) <= 1
        reader = CountingReader(tiled.store)
        tile_consistency_proof(reader, old, size)
        assert len(reader.calls) <= 1
        for key in reader.calls[0] if reader.calls else []:
            assert key in (tile_on_path(key[0], old - 1), tile_on_path(key[0], size - 1))


def test_a_root_reads_only_the_edge_tiles(big: tuple[MerkleLog, TiledLog]) -> None:
    _, tiled = big
    reader = CountingReader(tiled.store)
    tile_root(reader, 65536 + 300)
    assert reader.calls == [[(0, 257), (1, 1), (2, 0)]]


def test_at_a_million_leaves_a_proof_reads_a_level_0_and_a_level_1_tile() -> None:
    """A tree of 2^20 leaves ends on full tiles: a proof needs the leaf's level-0 tile
    and level-1 tile, and the root's level-2 tile (which the reader's cache keeps)."""
    tiled = TiledLog()
    tiled.append(leaves(1 << 20))
    reader = CountingReader(tiled.store)
    tile_inclusion_proof(reader, 123_456, 1 << 20)
    assert reader.calls == [[(0, 482), (1, 1), (2, 0)]]


def test_proofs_need_tiles_wide_enough() -> None:
    tiled = TiledLog()
    tiled.append(leaves(300))
    narrow = MemoryTiles({**tiled.store.tiles, (0, 1): tiled.store.tiles[(0, 1)][:32]})
    assert tile_root(narrow, 257) == tile_root(tiled.store, 257)
    with pytest.raises(TileError, match="needed"):
        tile_root(narrow, 258)
    with pytest.raises(TileError):
        tile_inclusion_proof(MemoryTiles(), 0, 2)
    broken = MemoryTiles({(0, 0): b"\x00" * 33})
    with pytest.raises(TileError, match="whole number"):
        tile_root(broken, 1)
    with pytest.raises(ProofError):
        tile_inclusion_proof(tiled.store, 300, 300)
    with pytest.raises(ProofError):
        tile_consistency_proof(tiled.store, 5, 4)
    with pytest.raises(TileError):
        tile_leaf_hash(tiled.store, -1)
    with pytest.raises(TileError):
        tile_leaf_hash(tiled.store, 300)


# --------------------------------------------------------------------------- interiors


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    reference = MerkleLog()
    reference.append_many(hashes)
    return reference.root()


def test_every_full_tile_has_its_interior_and_no_partial_one(
    big: tuple[MerkleLog, TiledLog],
) -> None:
    _, tiled = big
    full = {key for key, tile in tiled.store.tiles.items() if len(tile) == FULL_TILE_BYTES}
    assert set(tiled.store.interiors) == full
    hashes = leaves(BIG)
    for index in (0, 1, 300, 767):
        interior = tiled.store.interiors[(0, index)]
        assert len(interior) == INTERIOR_BYTES
        first = index * 256
        expected = [
            merkle_root(hashes[first + n * width : first + (n + 1) * width])
            for width in (16, 32, 64, 128)
            for n in range(256 // width)
        ]
        assert interior == b"".join(expected)
        assert tile_interior(tiled.store.tiles[(0, index)]) == (
            interior,
            merkle_root(hashes[first : first + 256]),
        )
    with pytest.raises(TileError, match="full tile"):
        tile_interior(tiled.store.tiles[(0, 0)][:-32])


class CountingSha256:
    """Stands in for ``hashlib`` in the tiles module and counts the hashes made."""

    def __init__(self) -> None:
        self.count = 0

    def sha256(self, data: bytes) -> object:
        self.count += 1
        return hashlib.sha256(data)


def hashes_per_proof(
    reader: object, monkeypatch: pytest.MonkeyPatch, pairs: Sequence[tuple[int, int]]
) -> list[int]:
    counter = CountingSha256()
    monkeypatch.setattr(tiles_module, "hashlib", counter)
    counts = []
    for index, size in pairs:
        tiles_module._cached_root.cache_clear()
        before = counter.count
        tile_inclusion_proof(reader, index, size)  # type: ignore[arg-type]
        counts.append(counter.count - before)
    monkeypatch.undo()
    return counts


def test_a_proof_hashes_at_most_11_hashes_per_full_tile(
    big: tuple[MerkleLog, TiledLog], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At sizes where every tile on the path is full (or holds 3 hashes, level 2), a
    proof takes sub-levels 4..7 from the interiors and hashes only sub-levels 1..3:
    1 + 3 + 7 hashes per tile.  Without interiors it hashes about 250 per tile."""
    _, tiled = big
    rng = random.Random(17)
    pairs = [
        (rng.randrange(size), size) for size in (65536, 2 * 65536, 3 * 65536) for _ in range(50)
    ]
    with_interiors = hashes_per_proof(tiled.store, monkeypatch, pairs)
    without = hashes_per_proof(CountingReader(tiled.store), monkeypatch, pairs)
    assert max(with_interiors) <= 2 * 11 + 1
    assert min(without) >= 2 * 200
    print(
        f"hashes per proof: {sum(with_interiors) / len(pairs):.1f} with interiors, "
        f"{sum(without) / len(pairs):.1f} without"
    )


def test_proofs_with_and_without_interiors_agree(big: tuple[MerkleLog, TiledLog]) -> None:
    reference, tiled = big
    plain = CountingReader(tiled.store)  # read_tiles only: no interiors
    rng = random.Random(19)
    for _ in range(300):
        size = rng.randrange(1, BIG + 1)
        index = rng.randrange(size)
        proof = tile_inclusion_proof(tiled.store, index, size)
        assert proof == tile_inclusion_proof(plain, index, size)
        assert proof == reference.inclusion_proof(index, size)


def test_a_wrong_interior_changes_the_proof(big: tuple[MerkleLog, TiledLog]) -> None:
    """The interiors are really read: a flipped hash of the interior of the level-0 tile
    on the path shows in the proof exactly when it is a sibling on the path; an interior
    of the wrong length, or one given with a partial tile, is refused."""
    reference, tiled = big
    size = 2 * 65536
    interior = tiled.store.interiors[(0, 3)]
    for position in range(30):
        flipped = bytes(b ^ 0xFF for b in interior[position * 32 : position * 32 + 32])
        bad = interior[: position * 32] + flipped + interior[position * 32 + 32 :]
        broken = MemoryTiles(tiled.store.tiles, {**tiled.store.interiors, (0, 3): bad})
        leaf = 3 * 256  # first leaf of tile (0, 3): each of its interior levels has a sibling
        proof = tile_inclusion_proof(broken, leaf, size)
        uses = position in {1, 17, 25, 29}  # the siblings of leaf 0 at sub-levels 4..7
        assert (proof != reference.inclusion_proof(leaf, size)) == uses, position
    short = MemoryTiles(tiled.store.tiles, {(0, 3): interior[:-32]})
    with pytest.raises(TileError, match="interior"):
        tile_inclusion_proof(short, 3 * 256, size)
    on_partial = MemoryTiles(tiled.store.tiles, {(2, 0): interior})
    with pytest.raises(TileError, match="interior"):
        tile_inclusion_proof(on_partial, 0, BIG)


def with_pyramids(tiled: TiledLog) -> MemoryTiles:
    """The tiles with every one's pyramid as its interior, as a reader's cache holds them."""
    tiles = tiled.store.tiles
    return MemoryTiles(tiles, {key: tile_pyramid(tile) for key, tile in tiles.items()})


def test_a_pyramid_holds_the_interior_and_proofs_from_pyramids_hash_nothing(
    big: tuple[MerkleLog, TiledLog], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference, tiled = big
    for key, interior in list(tiled.store.interiors.items())[:20]:
        assert tile_pyramid(tiled.store.tiles[key])[-INTERIOR_BYTES:] == interior
    pyramids = with_pyramids(tiled)
    rng = random.Random(23)
    pairs = []
    for _ in range(300):
        size = rng.randrange(1, BIG + 1)
        pairs.append((rng.randrange(size), size))
        index, size = pairs[-1]
        assert tile_inclusion_proof(pyramids, index, size) == reference.inclusion_proof(index, size)
        old = rng.randrange(size + 1)
        assert tile_consistency_proof(pyramids, old, size) == reference.consistency_proof(old, size)
    assert hashes_per_proof(pyramids, monkeypatch, pairs) == [0] * len(pairs)


def test_a_wrong_pyramid_changes_the_proof(big: tuple[MerkleLog, TiledLog]) -> None:
    reference, tiled = big
    pyramids = with_pyramids(tiled)
    good = pyramids.interiors[(1, 0)]
    pyramids.interiors[(1, 0)] = good[:32] + bytes(32) + good[64:]  # sub-level 1, node 1
    assert tile_inclusion_proof(pyramids, 0, 65536) != reference.inclusion_proof(0, 65536)
    assert tile_inclusion_proof(pyramids, 600, 65536) == reference.inclusion_proof(600, 65536)
