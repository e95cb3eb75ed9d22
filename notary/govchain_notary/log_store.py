"""The issuers' Merkle logs as the writer holds them: size and right-edge tiles.

The writer appends with ``govchain_core.tiles.append_leaves``, which needs only the
right-edge tile of each level, kept here in memory; the tiles an append makes are
*held* rather than written, so they go into the same group-commit transaction as the
submissions that produced them (``ReceiptStore.commit``).  If that commit fails the
held tiles are dropped and the logs are reopened from the database.

Only one process may append to an issuer's log: ``storage.writer_lock.IssuerLock``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from govchain_core.tiles import TileKey, append_leaves, edges_of
from govchain_notary.storage.repos import ReceiptStore


@dataclass(slots=True)
class _OpenLog:
    size: int
    edges: tuple[bytes, ...]
    pending: tuple[dict[TileKey, bytes], dict[TileKey, bytes]] = field(
        default_factory=lambda: ({}, {})
    )
    """The tiles appended and not yet taken, and the interiors of the full ones."""


class WriterLogs:
    """The open logs of the issuers this process writes, with their uncommitted tiles."""

    def __init__(self, store: ReceiptStore, issuers: Sequence[str]) -> None:
        self.store = store
        self.issuers = list(issuers)
        self.logs: dict[str, _OpenLog] = {}
        self.reload()

    def reload(self) -> None:
        """(Re)open every log at its committed size, dropping uncommitted tiles."""
        for issuer in self.issuers:
            size = self.store.log_size(issuer)
            edges = edges_of(self.store.tile_reader(issuer, size), size)
            self.logs[issuer] = _OpenLog(size, edges)

    def append(self, issuer: str, leaf_hashes: Sequence[bytes]) -> int:
        """Append leaf hashes; return the index of the first."""
        log = self.logs[issuer]
        step = append_leaves(log.size, log.edges, leaf_hashes)
        first, log.size, log.edges = log.size, step.size, step.edges
        log.pending[0].update(step.tiles)
        log.pending[1].update(step.interiors)
        return first

    def size(self, issuer: str) -> int:
        return self.logs[issuer].size

    def take_tiles(self) -> dict[str, dict[TileKey, bytes]]:
        """The tiles appended since the last call, per issuer, for the group commit."""
        return self._take(0)

    def take_interiors(self) -> dict[str, dict[TileKey, bytes]]:
        """The interiors of the full tiles appended since the last call, per issuer."""
        return self._take(1)

    def _take(self, which: int) -> dict[str, dict[TileKey, bytes]]:
        taken = {}
        for issuer, log in self.logs.items():
            if log.pending[which]:
                taken[issuer] = dict(log.pending[which])
                log.pending[which].clear()
        return taken
