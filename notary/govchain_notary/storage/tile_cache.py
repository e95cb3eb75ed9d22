"""The tiles a reader keeps in memory between proofs.

A proof at size ``n`` reads, per tile level, the tile on the leaf's path and the
right-edge tile of ``n`` (``govchain_core.tiles``).  The tiles of level 1 and up are
few (one per 65,536 leaves) and shared by every proof, and the level-0 right-edge
tile of a checkpoint's size is shared by every receipt under that checkpoint: kept
here, a lookup reads one level-0 tile from the database.

A hash in a tile never changes once written; only a partial tile grows.  A cached
tile therefore serves a reader for a tree of ``n`` leaves when it holds at least the
hashes that tree has in it; a narrower one is read again and replaces it.

Each tile is kept with its interior: a level-0 tile with the one stored with it
(``govchain_core.tiles.tile_interior``, none for a partial tile), an upper tile with
all its sub-levels (``tile_pyramid``), computed here once, so proofs hash nothing in
the upper tiles, shared by all of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from govchain_core.merkle import HASH_SIZE
from govchain_core.tiles import TILE_HEIGHT, TILE_WIDTH, TileKey, tile_pyramid

CacheKey = tuple[str, int, int]
"""``(issuer, level, index)``."""
StoredTile = tuple[bytes, bytes]
"""A tile and its interior (``b""`` when it has none)."""

#: Upper tiles kept (8 KiB each): an issuer's log of 10^9 leaves has about 15,000.
UPPER_TILES = 4096
#: Level-0 right-edge tiles kept: those of the sizes proofs are currently asked at.
EDGE_TILES = 64


class TileCache:
    """Least-recently-used tiles of many issuers; safe to share between threads."""

    def __init__(self, upper_tiles: int = UPPER_TILES, edge_tiles: int = EDGE_TILES) -> None:
        self._lock = threading.Lock()
        self._limits = (edge_tiles, upper_tiles)
        self._tiles: tuple[OrderedDict[CacheKey, StoredTile], OrderedDict[CacheKey, StoredTile]] = (
            OrderedDict(),
            OrderedDict(),
        )

    def get(self, key: CacheKey, width: int) -> StoredTile | None:
        """The cached tile and its interior if the tile holds at least ``width`` hashes."""
        tiles = self._tiles[key[1] > 0]
        with self._lock:
            found = tiles.get(key)
            if found is None or len(found[0]) < width * HASH_SIZE:
                return None
            tiles.move_to_end(key)
            return found

    def put(self, key: CacheKey, tile: bytes, interior: bytes = b"") -> None:
        upper = key[1] > 0
        tiles, limit = self._tiles[upper], self._limits[upper]
        with self._lock:
            if len(tiles.get(key, (b"",))[0]) > len(tile):
                return
            tiles[key] = (tile, interior)
            tiles.move_to_end(key)
            while len(tiles) > limit:
                tiles.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            for tiles in self._tiles:
                tiles.clear()


class CachedTileReader:
    """``govchain_core.tiles.InteriorTileReader`` of one issuer's tree of ``size``
    leaves: upper tiles and the level-0 right-edge tile come from the cache when it
    holds them wide enough; the others are fetched in one call (with their interiors)
    and the cacheable ones kept."""

    def __init__(
        self,
        fetch: Callable[[Sequence[TileKey]], list[StoredTile]],
        cache: TileCache,
        issuer: str,
        size: int,
    ) -> None:
        self.fetch = fetch
        self.cache = cache
        self.issuer = issuer
        self.size = size

    def read_tiles(self, keys: Sequence[TileKey]) -> list[bytes]:
        return [tile for tile, _ in self.read_tiles_with_interiors(keys)]

    def read_tiles_with_interiors(self, keys: Sequence[TileKey]) -> list[StoredTile]:
        found: dict[TileKey, StoredTile] = {}
        missing: list[TileKey] = []
        for key in keys:
            hit = None
            if self._keeps(key):
                hit = self.cache.get((self.issuer, *key), self._width(key))
            if hit is None:
                missing.append(key)
            else:
                found[key] = hit
        if missing:
            for key, (tile, interior) in zip(missing, self.fetch(missing), strict=True):
                if tile and self._keeps(key):
                    if key[0] > 0:
                        interior = tile_pyramid(tile)
                    self.cache.put((self.issuer, *key), tile, interior)
                found[key] = (tile, interior)
        return [found[key] for key in keys]

    def _width(self, key: TileKey) -> int:
        """Hashes the tile has in the tree of ``size`` leaves."""
        level, index = key
        return max(0, min(TILE_WIDTH, (self.size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH))

    def _keeps(self, key: TileKey) -> bool:
        level, index = key
        return level > 0 or index == self.size >> TILE_HEIGHT
