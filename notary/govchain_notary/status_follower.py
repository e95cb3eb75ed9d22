"""The status follower: copies the StatusRegistry's changes into the status index.

Public lookups read a document's status from the notary's database (see
``storage.statuses``) instead of asking the chain per request.  This thread keeps
that index in step with the chain: every ``period`` it reads the ``StatusChanged``
events of this notary's issuers from the block after its checkpoint up to the
chain's head (``eth_getLogs``, at most ``span`` blocks per call) and records each
span's changes together with the new checkpoint, in one transaction.  A restart
resumes at the checkpoint; a span read twice changes nothing.  While the node is
unreachable it retries every period, and lookups keep answering from the database.

Finality: a block counts as final once it exists, the rule the anchoring worker
applies to its own transactions (QBFT is final in one block), so the follower
reads up to the head itself; on a chain that reorganises, both would need a
confirmation depth.

Freshness: a status changed through this notary is in the index when the change
request returns.  One changed by someone else directly on chain shows in lookups
after the follower's next poll: at most one ``period`` (the notary's block period)
after its block, plus one ``eth_getLogs`` round trip.  When a poll records a
change, ``on_change`` runs (the service drops its cached lookups then).  ``synced``
tells, per issuer, the last block applied and when the follower last reached the
head; lookups report it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govchain_notary.anchorers.base import StatusEvents
from govchain_notary.chain_follower import MAX_SPAN, ChainFollower
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.storage.statuses import StatusIndexStore, StatusSync

__all__ = ["MAX_SPAN", "StatusFollower"]


class StatusFollower(ChainFollower):
    """One thread following the statuses of this notary's issuers."""

    following = "status changes"

    def __init__(
        self,
        index: StatusIndexStore,
        chain: StatusEvents,
        issuers: Sequence[str],
        period: float,
        on_change: Callable[[], None],
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__("notary-statuses", period, clock)
        self.index = index
        self.chain = chain
        self.issuers = list(issuers)
        self.on_change = on_change
        self.span = MAX_SPAN
        self.synced: dict[str, StatusSync] = {}

    def start(self) -> None:
        """Load the checkpoints; the first poll runs at once, on the follower's thread."""
        self.synced = {i: s for i, s in self.index.syncs().items() if i in self.issuers}
        super().start()

    def _failed(self) -> None:
        self.span = max(1, self.span // 2)  # in case the node refused the range

    def _succeeded(self) -> None:
        self.span = MAX_SPAN

    def sync_once(self) -> int:
        """Apply every status change up to the chain's head; return how many index rows
        changed.  ``on_change`` runs after each span that changed any, so a later span's
        failure cannot leave lookups cached from before an applied change."""
        head = self.chain.head()
        now = self.clock.now()  # when the head was read: what a complete sync is as of
        registry = self.chain.status_registry
        self._follow(registry)
        changed = 0
        first = min(self.synced[issuer].block_number for issuer in self.issuers) + 1
        while first <= head and not self._stop.is_set():
            last = min(head, first + self.span - 1)
            changes = self.chain.status_changes(self.issuers, first, last)
            syncs = self._advanced(registry, last, now if last == head else None)
            applied = self.index.apply(changes, syncs)
            self.synced = {**self.synced, **syncs}  # replaced, never changed: lookups read it
            if applied:
                self.on_change()
            changed += applied
            first = last + 1
        if head >= max(sync.block_number for sync in self.synced.values()):
            self.synced = {i: s._replace(synced_at=now) for i, s in self.synced.items()}
        return changed

    def _follow(self, registry: str) -> None:
        """Start from block 0 for issuers not yet followed in ``registry`` (a notary
        pointed at another StatusRegistry forgets the statuses it copied from the old one)."""
        for issuer in self.issuers:
            known = self.synced.get(issuer)
            if known is None or known.registry != registry:
                self.index.reset(issuer, registry)
                self.synced = {**self.synced, issuer: StatusSync(registry, -1, 0.0)}

    def _advanced(self, registry: str, last: int, now: float | None) -> dict[str, StatusSync]:
        return {
            issuer: StatusSync(
                registry,
                max(sync.block_number, last),
                now if now is not None else sync.synced_at,
            )
            for issuer, sync in self.synced.items()
        }
