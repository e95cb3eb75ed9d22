"""The readers' tile cache: what it keeps, for which sizes it serves a tile, and its bounds."""

from __future__ import annotations

from collections.abc import Sequence

from govchain_core.tiles import MemoryTiles, TileKey, tile_interior
from govchain_notary.storage.tile_cache import CachedTileReader, TileCache

ISSUER = "0x" + "d0" * 20


def hashes(count: int, fill: int = 1) -> bytes:
    return bytes([fill]) * 32 * count


class Backing:
    """Tiles in memory, counting the keys fetched."""

    def __init__(self, tiles: dict[TileKey, bytes]) -> None:
        self.store = MemoryTiles(tiles)
        self.fetched: list[TileKey] = []

    def __call__(self, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
        self.fetched += keys
        return self.store.read_tiles_with_interiors(keys)


def test_a_cached_tile_serves_only_sizes_it_is_wide_enough_for() -> None:
    cache = TileCache()
    cache.put((ISSUER, 1, 0), hashes(5))
    assert cache.get((ISSUER, 1, 0), 5) == (hashes(5), b"")
    assert cache.get((ISSUER, 1, 0), 6) is None
    cache.put((ISSUER, 1, 0), hashes(3))  # an older, narrower read never replaces it
    assert cache.get((ISSUER, 1, 0), 5) == (hashes(5), b"")
    assert cache.get(("0x" + "e0" * 20, 1, 0), 1) is None


def test_upper_and_edge_tiles_are_bounded_apart() -> None:
    cache = TileCache(upper_tiles=2, edge_tiles=1)
    for index in range(3):
        cache.put((ISSUER, 1, index), hashes(1))
    cache.put((ISSUER, 0, 7), hashes(1))
    cache.put((ISSUER, 0, 8), hashes(1))
    assert cache.get((ISSUER, 1, 0), 1) is None  # least recently used, evicted
    assert cache.get((ISSUER, 1, 1), 1) is not None
    assert cache.get((ISSUER, 1, 2), 1) is not None
    assert cache.get((ISSUER, 0, 7), 1) is None
    assert cache.get((ISSUER, 0, 8), 1) is not None


def test_the_reader_keeps_upper_tiles_and_the_level_0_edge_only() -> None:
    size = 3 * 256 + 10  # level-0 edge (0, 3) of width 10, level-1 edge (1, 0) of width 3
    backing = Backing({(0, 1): hashes(256), (0, 3): hashes(10), (1, 0): hashes(3)})
    cache = TileCache()
    keys = [(0, 1), (0, 3), (1, 0)]
    first = CachedTileReader(backing, cache, ISSUER, size).read_tiles(keys)
    second = CachedTileReader(backing, cache, ISSUER, size).read_tiles(keys)
    assert first == second == [hashes(256), hashes(10), hashes(3)]
    assert backing.fetched == [*keys, (0, 1)]


def test_a_reader_for_a_larger_size_reads_a_grown_edge_again() -> None:
    backing = Backing({(0, 1): hashes(10), (1, 0): hashes(1)})
    cache = TileCache()
    CachedTileReader(backing, cache, ISSUER, 266).read_tiles([(0, 1), (1, 0)])
    backing.store.tiles.update({(0, 1): hashes(20, 2), (1, 0): hashes(1)})
    grown = CachedTileReader(backing, cache, ISSUER, 276).read_tiles([(0, 1), (1, 0)])
    assert grown == [hashes(20, 2), hashes(1)]
    assert backing.fetched == [(0, 1), (1, 0), (0, 1)]


def test_interiors_are_kept_with_their_tiles_and_computed_for_upper_ones() -> None:
    """A full tile's stored interior is served with it; a full upper tile stored without
    one gets it computed once; a level-0 tile without one is served as it is."""
    full = bytes(range(256)) * 32
    interior, _ = tile_interior(full)
    stored = b"\x07" * len(interior)  # what the store holds is served, not recomputed
    backing = Backing({(0, 1): full, (0, 3): hashes(10), (1, 0): full, (1, 1): full})
    backing.store.interiors[(0, 1)] = stored
    cache = TileCache()
    keys = [(0, 1), (0, 3), (1, 0), (1, 1)]
    size = 256**2 + 256 * 3 + 10
    first = CachedTileReader(backing, cache, ISSUER, 256 * size).read_tiles_with_interiors(keys)
    assert first == [(full, stored), (hashes(10), b""), (full, interior), (full, interior)]
    backing.store.tiles[(0, 2)] = full
    plain = CachedTileReader(backing, cache, ISSUER, size).read_tiles_with_interiors([(0, 2)])
    assert plain == [(full, b"")]
    cached = CachedTileReader(backing, cache, ISSUER, 256 * size)
    assert cached.read_tiles_with_interiors([(1, 0)]) == [(full, interior)]
    assert cached.read_tiles([(1, 0)]) == [full]
    assert backing.fetched == [*keys, (0, 2)]
