"""A thread that keeps local state in step with the chain: ``sync_once`` every period.

The status follower (StatusRegistry events into the status index) and the issuer-roles
cache (IssuerRegistry events into memory) both work this way.  A failed poll (node
down, database busy) keeps what is known so far and is retried next period; it is
logged once per outage, not once per period, and ``last_error`` says what failed.
"""

from __future__ import annotations

import logging
import threading

from govchain_notary.clock import SYSTEM_CLOCK, Clock

logger = logging.getLogger(__name__)

MAX_SPAN = 2_000
"""Blocks per ``eth_getLogs`` call: below the range limits nodes commonly set."""


class ChainFollower:
    """Runs ``sync_once`` at once and then every ``period`` on its own daemon thread."""

    #: What is followed, for the log line of a failed poll.
    following = "the chain"

    def __init__(self, name: str, period: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self.period = period
        self.clock = clock
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def sync_once(self) -> object:
        """Bring the local state up to the chain's head."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sync_safely()
            self.clock.wait(self._stop, self.period)

    def _sync_safely(self) -> None:
        try:
            self.sync_once()
        except Exception as exc:  # the follower must survive any chain or database failure
            if str(exc) != self.last_error:  # once per outage, not once per period
                logger.warning("following %s failed: %s; retrying", self.following, exc)
            self.last_error = str(exc)
            self._failed()
            return
        self.last_error = None
        self._succeeded()

    def _failed(self) -> None:
        """After a failed poll (a subclass may narrow its next request)."""

    def _succeeded(self) -> None:
        """After a poll that reached the head."""
