"""An RFC 9162 log kept as C2SP tlog-tiles: coordinates, paths, proofs and appends.

A tile at level ``L``, index ``N`` holds up to 256 consecutive hashes of tree level
``8·L``, those of the perfect subtrees ``N·256 … N·256+255`` of that level (each over
``256^L`` leaves).  A full tile is 8192 bytes and never changes; the rightmost tile of
each level is *partial* (width 1..255) and grows until it is full.  The levels
between two tile levels are not stored: a subtree of level ``8·L + s`` (s < 8) is the
Merkle root of ``2^s`` consecutive hashes of one tile, computed when asked for.

Every root, inclusion proof and consistency proof is computed from tiles alone and
equals ``govchain_core.log.MerkleLog``'s, bit for bit.  A proof for leaf ``i`` in the
tree of size ``n`` reads, per tile level, the tile on ``i``'s path and the right-edge
tile of ``n`` (one tile when they coincide); a consistency proof ``(m, n)`` reads the
right-edge tiles of ``m`` and of ``n``.  Each proof makes one read call.
A tile of a larger tree serves every smaller size: a hash, once written, never
changes, so only the width matters.

A full tile may come with its *interior*: the 30 hashes of its sub-levels 4..7 (16, 8,
4 and 2 of them, 960 bytes, ``tile_interior``), which the appender computes anyway on
its way to the tile's root and the store keeps beside the tile (the tile's bytes stay
the C2SP tile).  A node of sub-level 4..7 is then read from the interior, and one of
sub-level 1..3 hashed from at most 8 of the tile's hashes: a proof hashes at most 11
hashes per full tile on its path instead of about 250.  Partial tiles have none
stored.  A reader may also hold, for the tiles it keeps in memory, all sub-levels
1..7 (``tile_pyramid``), so that it hashes nothing in them.

Appending (``append_leaves``) needs only the right-edge tile of each level, which the
writer keeps in memory, and returns the tiles to write: so an append reads nothing.

Tile paths follow https://c2sp.org/tlog-tiles: ``tile/<L>/<N>[.p/<W>]`` with ``N``
in 3-digit groups, all but the last prefixed with ``x`` (1234067: ``x001/x234/067``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from govchain_core.errors import TileError
from govchain_core.log import NodeKey, perfect_subtrees
from govchain_core.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    consistency_ranges,
    fold_subtree_roots,
    inclusion_ranges,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
MAX_TILE_LEVEL = 63
_MAX_INDEX_GROUPS = 7  # a level-0 tile index of a tree below 2^64 leaves has 17 digits

#: Lowest sub-level of a tile whose nodes its interior holds.
INTERIOR_LEVEL = 4
#: Bytes of a full tile's interior: sub-levels 4..7 (16 + 8 + 4 + 2 hashes).
INTERIOR_BYTES = (2 * (TILE_WIDTH >> INTERIOR_LEVEL) - 2) * HASH_SIZE
#: Bytes of a tile's pyramid: sub-levels 1..7 (``tile_pyramid``).
PYRAMID_BYTES = (TILE_WIDTH - 2) * HASH_SIZE

TileKey = tuple[int, int]
"""``(level, index)`` of a tile: the store keeps one blob per key (full or partial)."""


@dataclass(frozen=True, slots=True)
class Tile:
    """A tile's coordinates: level, index and width (256 for a full tile)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def key(self) -> TileKey:
        return (self.level, self.index)

    @property
    def path(self) -> str:
        return tile_path(self.level, self.index, self.width)


class TileReader(Protocol):
    """Where a tiled log's tiles are read from."""

    def read_tiles(self, keys: Sequence[TileKey]) -> list[bytes]:
        """The stored bytes of each tile, in order: the full tile, or the current
        partial one.  A tile that is not stored may be returned as ``b""``."""
        ...


class InteriorTileReader(TileReader, Protocol):
    """A reader that also has the interiors of the full tiles (``tile_interior``)."""

    def read_tiles_with_interiors(self, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
        """Each tile as ``read_tiles`` gives it, with its interior: ``b""`` where none
        is kept (a partial tile, or a full one stored without)."""
        ...


# --------------------------------------------------------------------------- paths


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` of C2SP tlog-tiles."""
    if not 0 <= level <= MAX_TILE_LEVEL:
        raise TileError(f"tile level {level} is outside 0..{MAX_TILE_LEVEL}")
    if index < 0:
        raise TileError(f"tile index {index} is negative")
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"tile width {width} is outside 1..{TILE_WIDTH}")
    groups = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(group)
        if not index:
            break
    elements = [f"x{group:03d}" for group in reversed(groups[1:])] + [f"{groups[0]:03d}"]
    path = f"tile/{level}/{'/'.join(elements)}"
    return path if width == TILE_WIDTH else f"{path}.p/{width}"


_LEVEL = re.compile(r"0|[1-9][0-9]?")
_INNER_GROUP = re.compile(r"x[0-9]{3}")
_LAST_GROUP = re.compile(r"[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


def parse_tile_path(path: str) -> Tile:
    """The tile a canonical hash-tile path names; ``TileError`` for any other string
    (leading zeros, an ``x000`` group in front, a width of 0 or 256, entry bundles)."""
    elements = path.split("/")
    if len(elements) < 3 or elements[0] != "tile" or not _LEVEL.fullmatch(elements[1]):
        raise TileError(f"not a hash tile path: {path!r}")
    level, groups, width = int(elements[1]), elements[2:], TILE_WIDTH
    if level > MAX_TILE_LEVEL:
        raise TileError(f"tile level {level} is above {MAX_TILE_LEVEL}: {path!r}")
    if len(groups) >= 2 and groups[-2].endswith(".p"):
        if not _WIDTH.fullmatch(groups[-1]) or int(groups[-1]) >= TILE_WIDTH:
            raise TileError(f"partial tile width must be 1..255: {path!r}")
        width = int(groups[-1])
        groups = [*groups[:-2], groups[-2][:-2]]
    if (
        len(groups) > _MAX_INDEX_GROUPS
        or not _LAST_GROUP.fullmatch(groups[-1])
        or not all(_INNER_GROUP.fullmatch(group) for group in groups[:-1])
        or (len(groups) > 1 and groups[0] == "x000")
    ):
        raise TileError(f"tile index is not canonical: {path!r}")
    index = 0
    for group in groups:
        index = index * 1000 + int(group.lstrip("x"))
    return Tile(level, index, width)


# --------------------------------------------------------------------------- geometry


def level_count(size: int) -> int:
    """Tile levels a tree of ``size`` leaves has (0 for the empty tree)."""
    levels = 0
    while size >> (TILE_HEIGHT * levels):
        levels += 1
    return levels


def edge_widths(size: int) -> list[int]:
    """Width of the right-edge (partial) tile of each level; 0 where the level ends on a
    full tile."""
    return [(size >> (TILE_HEIGHT * level)) % TILE_WIDTH for level in range(level_count(size))]


def tiles_for_size(size: int) -> list[Tile]:
    """Every tile the tree of ``size`` leaves consists of, level by level."""
    tiles: list[Tile] = []
    for level in range(level_count(size)):
        full, width = divmod(size >> (TILE_HEIGHT * level), TILE_WIDTH)
        tiles.extend(Tile(level, index) for index in range(full))
        if width:
            tiles.append(Tile(level, full, width))
    return tiles


def tile_of_node(level: int, index: int) -> tuple[TileKey, int, int]:
    """Where perfect subtree ``(level, index)`` lies: the key of the tile holding the
    hashes it is the root of, the offset of the first one there, and their count."""
    tile_level, sub = divmod(level, TILE_HEIGHT)
    start = index << sub
    return (tile_level, start >> TILE_HEIGHT), start & (TILE_WIDTH - 1), 1 << sub


# --------------------------------------------------------------------------- proofs


def _subtree_root(tile: bytes, offset: int, count: int) -> bytes:
    """Merkle root of ``count`` (a power of two) hashes of ``tile`` from ``offset``."""
    start = offset * HASH_SIZE
    if count >= _CACHED_COUNT:
        return _cached_root(tile[start : start + count * HASH_SIZE])
    return _root_of(tile[start : start + count * HASH_SIZE])


#: Subtrees of at least this many hashes of a tile without an interior (partial tiles:
#: the right edges) are remembered by their content: consecutive roots and proofs at
#: nearby sizes share them, and looking up 512..4096 bytes costs far less than the
#: 15..127 hashes.
_CACHED_COUNT = 16


@functools.lru_cache(maxsize=2048)
def _cached_root(hashes: bytes) -> bytes:
    return _root_of(hashes)


def _root_of(hashes: bytes) -> bytes:
    """Merkle root of a power-of-two number of concatenated hashes, a level at a time."""
    while len(hashes) > HASH_SIZE:
        hashes = _parents(hashes)
    return hashes


def _parents(hashes: bytes) -> bytes:
    """The next level up of an even number of concatenated hashes."""
    sha256 = hashlib.sha256
    pair = 2 * HASH_SIZE
    return b"".join(
        [sha256(b"\x01" + hashes[n : n + pair]).digest() for n in range(0, len(hashes), pair)]
    )


def tile_interior(tile: bytes) -> tuple[bytes, bytes]:
    """The interior of a full tile (its sub-levels 4..7, lowest first) and its root."""
    if len(tile) != FULL_TILE_BYTES:
        raise TileError(f"only a full tile has an interior, not one of {len(tile)} bytes")
    level = tile
    for _ in range(INTERIOR_LEVEL):
        level = _parents(level)
    interior = []
    while len(level) > HASH_SIZE:
        interior.append(level)
        level = _parents(level)
    return b"".join(interior), level


def tile_pyramid(tile: bytes) -> bytes:
    """Sub-levels 1..7 of a tile, full or partial, lowest first, each padded to its
    full width with zero bytes where a node is incomplete: an interior a reader may
    keep in memory for the tiles it reuses (never stored; a proof reads only nodes
    whose hashes are all in the tile, so never a padding)."""
    levels, level = [], tile
    for sub in range(1, TILE_HEIGHT):
        level = _parents(level[: len(level) // (2 * HASH_SIZE) * 2 * HASH_SIZE])
        levels.append(level.ljust((TILE_WIDTH >> sub) * HASH_SIZE, b"\0"))
    return b"".join(levels)


def _node_hash(tile: bytes, interior: bytes, offset: int, count: int) -> bytes:
    """Root of ``count`` hashes of ``tile`` from ``offset``: from the interior when
    it holds that node's level, else hashed (at most 7 hashes when there is one).
    An interior holds sub-levels ``s..7`` with ``2^(9-s) - 2`` hashes in all, the
    first node of sub-level ``t`` at ``2^(9-s) - 2^(9-t)``."""
    if count == 1:
        return _slice(tile, offset)
    if interior:
        sub = count.bit_length() - 1
        start = len(interior) // HASH_SIZE + 2 - (2 * TILE_WIDTH >> sub)
        if start >= 0:
            return _slice(interior, start + (offset >> sub))
    return _subtree_root(tile, offset, count)


def _slice(hashes: bytes, position: int) -> bytes:
    return hashes[position * HASH_SIZE : (position + 1) * HASH_SIZE]


def node_hashes(reader: TileReader, nodes: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
    """The hash of each node, from the tiles (and interiors, when the reader has them)
    read in one call, each checked to be wide enough."""
    located = {node: tile_of_node(*node) for node in nodes}
    needed: dict[TileKey, int] = {}
    for key, offset, count in located.values():
        needed[key] = max(needed.get(key, 0), offset + count)
    keys = sorted(needed)
    tiles = dict(zip(keys, _read(reader, keys) if keys else [], strict=True))
    for key, (tile, interior) in tiles.items():
        if len(tile) % HASH_SIZE or len(tile) > FULL_TILE_BYTES:
            raise TileError(f"tile {key} has {len(tile)} bytes, not a whole number of hashes")
        if len(tile) < needed[key] * HASH_SIZE:
            raise TileError(
                f"tile {key} holds {len(tile) // HASH_SIZE} hashes, {needed[key]} are needed"
            )
        if (
            interior
            and len(interior) != PYRAMID_BYTES
            and (len(interior) != INTERIOR_BYTES or len(tile) != FULL_TILE_BYTES)
        ):
            raise TileError(f"tile {key} has an interior of {len(interior)} bytes")
    return {
        node: _node_hash(*tiles[key], offset, count)
        for node, (key, offset, count) in located.items()
    }


def _read(reader: TileReader, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
    """The tiles of ``keys`` with their interiors (``b""`` where the reader has none)."""
    with_interiors = getattr(reader, "read_tiles_with_interiors", None)
    if with_interiors is not None:
        return with_interiors(keys)  # type: ignore[no-any-return]
    return [(tile, b"") for tile in reader.read_tiles(keys)]


def range_hashes(reader: TileReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Hashes of aligned leaf ranges (those the RFC recursion names) from tiles."""
    decompositions = [perfect_subtrees(start, end) for start, end in ranges]
    hashes = node_hashes(reader, {key for keys in decompositions for key in keys})
    return [fold_subtree_roots([hashes[key] for key in keys]) for keys in decompositions]


def tile_root(reader: TileReader, size: int) -> bytes:
    """MTH of the first ``size`` leaves; reads the right-edge tiles of ``size``."""
    if size < 0:
        raise TileError(f"tree size {size} is negative")
    return range_hashes(reader, [(0, size)])[0] if size else EMPTY_ROOT


def tile_inclusion_proof(reader: TileReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1 from tiles."""
    return range_hashes(reader, inclusion_ranges(index, size))


def tile_consistency_proof(reader: TileReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1 from tiles."""
    return range_hashes(reader, consistency_ranges(old_size, new_size))


def tile_leaf_hash(reader: TileReader, index: int) -> bytes:
    """The leaf hash at ``index``, from its level-0 tile."""
    if index < 0:
        raise TileError(f"leaf index {index} is negative")
    return range_hashes(reader, [(index, index + 1)])[0]


class MemoryTiles:
    """Tiles and the full ones' interiors in dictionaries: the in-memory store, and an
    ``InteriorTileReader`` over it."""

    def __init__(
        self,
        tiles: Mapping[TileKey, bytes] | None = None,
        interiors: Mapping[TileKey, bytes] | None = None,
    ) -> None:
        self.tiles: dict[TileKey, bytes] = dict(tiles or {})
        self.interiors: dict[TileKey, bytes] = dict(interiors or {})

    def read_tiles(self, keys: Sequence[TileKey]) -> list[bytes]:
        tiles = self.tiles
        return [tiles.get(key, b"") for key in keys]

    def read_tiles_with_interiors(self, keys: Sequence[TileKey]) -> list[tuple[bytes, bytes]]:
        tiles, interiors = self.tiles, self.interiors
        return [(tiles.get(key, b""), interiors.get(key, b"")) for key in keys]

    def write_tiles(
        self, tiles: Mapping[TileKey, bytes], interiors: Mapping[TileKey, bytes] | None = None
    ) -> None:
        self.tiles.update(tiles)
        self.interiors.update(interiors or {})


# --------------------------------------------------------------------------- appends


@dataclass(frozen=True, slots=True)
class TileAppend:
    """What appending leaves changed: the new size, the new right-edge tile of each level
    (``b""`` where a level ends on a full tile), the tiles to write (new full tiles
    and the partial tiles that grew), each at most once, and the interiors of the new
    full tiles."""

    size: int
    edges: tuple[bytes, ...]
    tiles: dict[TileKey, bytes]
    interiors: dict[TileKey, bytes] = field(default_factory=dict)


def check_edges(size: int, edges: Sequence[bytes]) -> None:
    """Raise ``TileError`` unless ``edges`` are right-edge tiles of a tree of ``size``."""
    widths = edge_widths(size)
    if len(edges) != len(widths) or any(
        len(edge) != width * HASH_SIZE for edge, width in zip(edges, widths, strict=True)
    ):
        raise TileError(f"right-edge tiles do not fit a tree of size {size}")


def append_leaves(size: int, edges: Sequence[bytes], leaves: Iterable[bytes]) -> TileAppend:
    """Append leaf hashes to a tiled log of ``size`` leaves whose right-edge tiles are
    ``edges`` (one per level, see ``edge_widths``), without reading any other tile."""
    check_edges(size, edges)
    entries = list(leaves)
    if any(len(leaf) != HASH_SIZE for leaf in entries):
        raise ValueError(f"leaf hash must be {HASH_SIZE} bytes")
    new_size = size + len(entries)
    made = TileAppend(new_size, (), {}, {})
    new_edges: list[bytes] = []
    for level in range(level_count(new_size)):
        edge = edges[level] if level < len(edges) else b""
        if not entries:
            new_edges.append(edge)
            continue
        edge, entries = _append_level(level, size, edge, entries, made)
        new_edges.append(edge)
    return TileAppend(new_size, tuple(new_edges), made.tiles, made.interiors)


def _append_level(
    level: int, size: int, edge: bytes, entries: list[bytes], made: TileAppend
) -> tuple[bytes, list[bytes]]:
    """Add ``entries`` to one level's right edge, the tiles and interiors to ``made``;
    return the new edge and the roots of the tiles this filled (the next level's new
    entries)."""
    index = (size >> (TILE_HEIGHT * level)) // TILE_WIDTH
    buffer = bytearray(edge)
    parents: list[bytes] = []
    position = 0
    while position < len(entries):
        room = TILE_WIDTH - len(buffer) // HASH_SIZE
        chunk = entries[position : position + room]
        buffer += b"".join(chunk)
        position += len(chunk)
        if len(buffer) == FULL_TILE_BYTES:
            full = bytes(buffer)
            made.tiles[(level, index)] = full
            made.interiors[(level, index)], root = tile_interior(full)
            parents.append(root)
            index, buffer = index + 1, bytearray()
    if buffer:
        made.tiles[(level, index)] = bytes(buffer)
    return bytes(buffer), parents


def edges_of(reader: TileReader, size: int) -> tuple[bytes, ...]:
    """The right-edge tiles of a tree of ``size`` leaves, read from a store whose tree
    is exactly ``size`` leaves (what a writer reopens its log from)."""
    widths = edge_widths(size)
    keys = [(level, (size >> (TILE_HEIGHT * level)) // TILE_WIDTH) for level in range(len(widths))]
    wanted = [(key, width) for key, width in zip(keys, widths, strict=True) if width]
    found = reader.read_tiles([key for key, _ in wanted]) if wanted else []
    by_key = {
        key: tile[: width * HASH_SIZE] for (key, width), tile in zip(wanted, found, strict=True)
    }
    edges = tuple(by_key.get(key, b"") for key in keys)
    check_edges(size, edges)
    return edges
