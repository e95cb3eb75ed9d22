"""The anchoring worker: turns each issuer's log growth into anchored checkpoints.

Every ``block_period`` (or at once when ``threshold`` new leaves are waiting) it
takes each issuer's committed log size, records the checkpoint ``(size, root)``
as *prepared*, sends ``anchor(size, root, prevSize, consistencyProof)`` and, once
the transaction is final, marks the checkpoint anchored: every leaf below
``size`` then has a complete receipt.

Recovery (at start and after any chain error) reconciles with the registry: if a
checkpoint landed on chain but the notary died before recording it, the chain's
latest checkpoint is checked against the local log (same root at that size) and
recorded, never anchored twice; prepared checkpoints that never landed are
dropped and re-anchored at the current size.  Leaves are assigned to log
positions exactly once, in the writer's commit, so every acknowledged digest is
in exactly one position of exactly one anchored log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from govchain_core.tiles import tile_consistency_proof, tile_root
from govchain_notary.anchorers.base import CheckpointWriter
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.errors import ChainAccessError, LogDivergedError
from govchain_notary.storage.repos import PREPARED, CheckpointRecord, Store

logger = logging.getLogger(__name__)

AnchorListener = Callable[[str, int], None]
"""Called with ``(issuer, size)`` after a checkpoint is anchored and recorded."""


class AnchoringWorker:
    """One thread anchoring the logs of this notary's issuers."""

    def __init__(
        self,
        store: Store,
        anchorer: CheckpointWriter,
        issuers: Sequence[str],
        block_period: float,
        threshold: int,
        on_anchored: AnchorListener,
        retry_delay: float = 0.5,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.clock = clock
        self.anchorer = anchorer
        self.issuers = list(issuers)
        self.block_period = block_period
        self.threshold = threshold
        self.on_anchored = on_anchored
        self.retry_delay = retry_delay
        self.anchored_sizes: dict[str, int] = {}
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notary-anchoring", daemon=True)

    def start(self) -> None:
        for issuer in self.issuers:
            self.reconcile(issuer)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def notify(self, log_sizes: dict[str, int]) -> None:
        """Writer callback: wake up early when enough leaves are waiting."""
        for issuer, size in log_sizes.items():
            if size - self.anchored_sizes.get(issuer, 0) >= self.threshold:
                self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = self.clock.monotonic()
            for issuer in self.issuers:
                self._anchor_safely(issuer)
            # a round that took part of the period waits only for the rest of it
            remaining = self.block_period - (self.clock.monotonic() - started)
            if remaining > 0:
                self.clock.wait(self._wake, remaining)
            self._wake.clear()

    def _anchor_safely(self, issuer: str) -> None:
        try:
            self.anchor_once(issuer)
            self.last_error = None
        except LogDivergedError:
            logger.critical("log of %s diverged from the chain; anchoring stopped", issuer)
            self.last_error = "log diverged"
            self._stop.set()
        except Exception as exc:  # the worker must survive any chain or database failure
            logger.warning("anchoring %s failed: %s; reconciling before the retry", issuer, exc)
            self.last_error = str(exc)
            self.clock.wait(self._stop, self.retry_delay)
            try:
                self.reconcile(issuer)
            except Exception as again:
                logger.warning("reconciling %s failed: %s", issuer, again)

    def anchor_once(self, issuer: str) -> CheckpointRecord | None:
        """Anchor the issuer's log at its committed size, if it grew; return the checkpoint."""
        size = self.store.log_size(issuer)
        latest = self.store.latest_anchored(issuer)
        prev_size = latest.size if latest else 0
        self.anchored_sizes[issuer] = prev_size
        if size <= prev_size:
            return None
        tiles = self.store.tile_reader(issuer, size)
        root = tile_root(tiles, size)
        proof = tile_consistency_proof(tiles, prev_size, size) if prev_size else []
        record = CheckpointRecord(issuer, size, root, prev_size, PREPARED, int(self.clock.now()))
        self.store.prepare_checkpoint(record)
        anchor = self.anchorer.anchor(issuer, size, root, prev_size, proof)
        self.store.mark_anchored(issuer, size, anchor)
        self._anchored(issuer, size)
        return record

    def reconcile(self, issuer: str) -> None:
        """Bring the local checkpoints in line with the registry's latest one."""
        try:
            on_chain = self.anchorer.latest(issuer)
        except ChainAccessError as exc:
            logger.warning("cannot reconcile %s yet: %s", issuer, exc)
            return
        local = self.store.latest_anchored(issuer)
        local_size = local.size if local else 0
        if on_chain is None or on_chain.size <= local_size:
            self.store.discard_prepared(issuer, local_size)
            self.anchored_sizes[issuer] = local_size
            return
        size = self.store.log_size(issuer)
        if on_chain.size > size:
            raise LogDivergedError(
                f"chain has {issuer}'s checkpoint {on_chain.size} beyond the local log {size}"
            )
        root = tile_root(self.store.tile_reader(issuer, size), on_chain.size)
        if root != on_chain.root:
            raise LogDivergedError(f"root of {issuer} at {on_chain.size} differs from the chain")
        record = CheckpointRecord(
            issuer, on_chain.size, root, local_size, PREPARED, int(self.clock.now())
        )
        self.store.prepare_checkpoint(record)
        self.store.mark_anchored(issuer, on_chain.size, on_chain.anchor)
        self.store.discard_prepared(issuer, on_chain.size)
        logger.info("recovered checkpoint %d of %s from the chain", on_chain.size, issuer)
        self._anchored(issuer, on_chain.size)

    def _anchored(self, issuer: str, size: int) -> None:
        self.anchored_sizes[issuer] = size
        self.on_anchored(issuer, size)
