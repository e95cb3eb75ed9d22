"""Check each issuer's stored log tiles against its leaf rows and anchored checkpoints.

The tiles are recomputed from the leaves (each leaf hash from its row, as at
submission) a slice at a time; every stored tile must equal its recomputation, every
full one have the interior recomputed with it (proofs take hashes from it unchecked),
no other tile nor interior may be stored, and the root of every anchored checkpoint, computed from
the recomputed tiles, must equal the root that was anchored.  ``govchain notary
check-tiles`` runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from govchain_core.tiles import (
    FULL_TILE_BYTES,
    TILE_HEIGHT,
    TILE_WIDTH,
    MemoryTiles,
    TileKey,
    append_leaves,
    tile_path,
    tile_root,
)
from govchain_notary.storage.repos import CheckpointRecord

#: Leaves recomputed per slice: a multiple of a level-1 tile's span.
SLICE = 65_536
_PAGE = 1000


class TileAuditSource(Protocol):
    """What the check reads (``SqlStore`` provides it)."""

    def log_sizes(self) -> dict[str, int]: ...

    def leaf_hashes(self, issuer: str, start: int, end: int) -> list[bytes]: ...

    def stored_tiles(self, issuer: str) -> dict[TileKey, bytes]: ...

    def stored_interiors(self, issuer: str) -> dict[TileKey, bytes]: ...

    def anchored_checkpoints(
        self, issuer: str, limit: int, before: int | None = None
    ) -> list[CheckpointRecord]: ...


@dataclass(slots=True)
class LogReport:
    """The outcome for one issuer's log."""

    issuer: str
    size: int
    tiles: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_all(source: TileAuditSource) -> list[LogReport]:
    return [check_log(source, issuer, size) for issuer, size in sorted(source.log_sizes().items())]


def check_log(source: TileAuditSource, issuer: str, size: int) -> LogReport:
    report = LogReport(issuer, size)
    stored = source.stored_tiles(issuer)
    interiors = source.stored_interiors(issuer)
    anchored = sorted(_anchored(source, issuer), key=lambda c: c.size)
    report.checkpoints = len(anchored)
    report.problems += [
        f"checkpoint {c.size} is beyond the log of {size} leaves" for c in anchored if c.size > size
    ]
    log = _Recomputed()
    for start in range(0, size, SLICE):
        end = min(start + SLICE, size)
        made, made_interiors = log.append(source.leaf_hashes(issuer, start, end))
        _compare(report, stored, {k: t for k, t in made.items() if len(t) == FULL_TILE_BYTES})
        _compare_interiors(report, interiors, made_interiors)
        view = MemoryTiles({**log.upper, **made})
        for checkpoint in anchored:
            if (
                start < checkpoint.size <= end
                and tile_root(view, checkpoint.size) != checkpoint.root
            ):
                report.problems.append(f"root at anchored size {checkpoint.size} differs")
    _compare(report, stored, log.partial)
    report.problems += [
        f"{_path(key, tile)} is stored beyond the log's size"
        for key, tile in sorted(stored.items())
        if not _in_tree(key, size)
    ]
    report.problems += [
        f"{_path(key, stored.get(key, b''))} has an interior but is not full"
        for key in sorted(interiors)
        if len(stored.get(key, b"")) != FULL_TILE_BYTES
    ]
    return report


class _Recomputed:
    """The log rebuilt from its leaves, keeping only what the check needs: the tiles
    of level 1 and up (few; every root needs some) and each level's right edge."""

    def __init__(self) -> None:
        self.size = 0
        self.edges: tuple[bytes, ...] = ()
        self.upper: dict[TileKey, bytes] = {}
        self.partial: dict[TileKey, bytes] = {}

    def append(self, leaves: list[bytes]) -> tuple[dict[TileKey, bytes], dict[TileKey, bytes]]:
        """Append leaf hashes; return the tiles made or changed and the interiors of
        the full ones made."""
        step = append_leaves(self.size, self.edges, leaves)
        self.size, self.edges = step.size, step.edges
        for key, tile in step.tiles.items():
            if key[0] > 0:
                self.upper[key] = tile
            if len(tile) < FULL_TILE_BYTES:
                self.partial[key] = tile
            else:
                self.partial.pop(key, None)
        return step.tiles, step.interiors


def _in_tree(key: TileKey, size: int) -> bool:
    level, index = key
    return index * TILE_WIDTH < size >> (TILE_HEIGHT * level)


def _compare(report: LogReport, stored: dict[TileKey, bytes], tiles: dict[TileKey, bytes]) -> None:
    for key, tile in sorted(tiles.items()):
        report.tiles += 1
        found = stored.get(key)
        if found is None:
            report.problems.append(f"{_path(key, tile)} is missing")
        elif found != tile:
            report.problems.append(f"{_path(key, tile)} differs from the leaves' hashes")


def _compare_interiors(
    report: LogReport, stored: dict[TileKey, bytes], interiors: dict[TileKey, bytes]
) -> None:
    for key, interior in sorted(interiors.items()):
        found = stored.get(key)
        if found is None:
            report.problems.append(f"{tile_path(*key)} has no interior")
        elif found != interior:
            report.problems.append(f"{tile_path(*key)} has a wrong interior")


def _path(key: TileKey, tile: bytes) -> str:
    width = len(tile) // 32
    return tile_path(key[0], key[1], width if 1 <= width <= TILE_WIDTH else TILE_WIDTH)


def _anchored(source: TileAuditSource, issuer: str) -> Iterator[CheckpointRecord]:
    before: int | None = None
    while True:
        page = source.anchored_checkpoints(issuer, _PAGE, before)
        yield from page
        if len(page) < _PAGE:
            return
        before = page[-1].size
