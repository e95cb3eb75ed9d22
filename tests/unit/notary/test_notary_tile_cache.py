"""The readers' tile cache: what it keeps, for which sizes it serves a tile, and its bounds."""

from __future__ import annotations

from collections.abc import Sequence

from govchain_core.tiles import INTERIOR_BYTES, MemoryTiles, TileKey, tile_pyramid
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


def test_level_0_tiles_keep_their_stored_interior_and_upper_ones_get_their_pyramid() -> None:
    """A level-0 tile is served with the interior stored with it (none for a partial
    one); an upper tile, full or partial, with all its sub-levels, computed once."""
    full = bytes(range(256)) * 32
    stored = b"\x07" * INTERIOR_BYTES  # what the store holds is served, not recomputed
    backing = Backing({(0, 1): full, (0, 3): hashes(10), (1, 0): full, (1, 1): hashes(3)})
    backing.store.interiors.update({(0, 1): stored, (1, 0): stored})
    cache = TileCache()
    keys = [(0, 1), (0, 3), (1, 0), (1, 1)]
    size = 256 * (256 + 3) + 10
    first = CachedTileReader(backing, cache, ISSUER, size).read_tiles_with_interiors(keys)
    assert first == [
        (full, stored),
        (hashes(10), b""),
        (full, tile_pyramid(full)),
        (hashes(3), tile_pyramid(hashes(3))),
    ]
    again = CachedTileReader(backing, cache, ISSUER, size)
    assert again.read_tiles_with_interiors([(1, 0), (1, 1)]) == first[2:]
    assert again.read_tiles([(1, 0)]) == [full]
    assert backing.fetched == keys
