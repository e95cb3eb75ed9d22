"""The status index as a read replica sees it: polled from the database, never written.

A reader process (``role = "reader"``) runs no status follower: the writer's follower
keeps the index in the shared database.  ``StatusWatcher`` stands in for it: every
``period`` (the block period) it reads the sync rows, which lookups report as
``status_as_of``, and the index's ``version``; when the version moved, a status was
changed (through the writer or by its follower) and ``on_change`` runs: the service
clears its lookup cache, as the writer's follower does on a change it records.  So a
reader serves a changed status at most one ``period`` later than the writer does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govchain_notary.chain_follower import ChainFollower
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.storage.statuses import StatusIndexStore, StatusSync


class StatusWatcher(ChainFollower):
    """One thread polling the shared status index (a ``StatusFollower`` look-alike)."""

    following = "the status index"

    def __init__(
        self,
        index: StatusIndexStore,
        issuers: Sequence[str],
        period: float,
        on_change: Callable[[], None],
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__("notary-status-watcher", period, clock)
        self.index = index
        self.issuers = set(issuers)
        self.on_change = on_change
        self.synced: dict[str, StatusSync] = {}
        self._version: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Read the index once before serving (lookups report ``synced`` at once)."""
        self._sync_safely()
        super().start()

    def sync_once(self) -> bool:
        """Take the sync rows and the index's version; True when the version moved."""
        version = self.index.version()
        self.synced = {i: s for i, s in self.index.syncs().items() if i in self.issuers}
        moved = self._version is not None and version != self._version
        self._version = version
        if moved:
            self.on_change()
        return moved
