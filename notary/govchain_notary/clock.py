"""The notary's one source of time: wall time, monotonic time and timed waits.

The writer stamps submissions, the anchoring worker paces itself to the block period
and stamps checkpoints, the chain followers poll every period and the in-memory chain
stamps its blocks: all through a ``Clock`` handed to their constructors, never through
the ``time`` module.  Production passes :data:`SYSTEM_CLOCK`; tests pass a clock that
moves only when told (``tests.support.clocks.ManualClock``), so pacing and timestamps
are checked exactly instead of by sleeping.

The worker threads sleep with ``wait(event, timeout)`` rather than ``time.sleep``: a
stop or an early wake-up sets the event and ends the wait at once, on either clock.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What the notary's threads need of time."""

    def now(self) -> float:
        """Wall time in unix seconds: what timestamps record."""
        ...

    def monotonic(self) -> float:
        """Seconds that never go backwards: what durations and pacing measure."""
        ...

    def wait(self, event: threading.Event, timeout: float) -> bool:
        """Wait until ``event`` is set or ``timeout`` seconds (of this clock) pass;
        return whether the event is set."""
        ...


class SystemClock:
    """The real time of the machine."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def wait(self, event: threading.Event, timeout: float) -> bool:
        return event.wait(timeout)


SYSTEM_CLOCK: Clock = SystemClock()
"""The default of every constructor that takes a clock."""
