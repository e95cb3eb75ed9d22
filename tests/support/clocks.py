"""A clock for tests that moves only when told (``govchain_notary.clock.Clock``)."""

from __future__ import annotations

import threading
from collections import Counter

#: How often a waiting thread looks at its event: ``threading.Event`` cannot tell
#: anyone but its own waiters that it was set.  Real time, but never an oracle: it
#: only bounds how late a stop or an early wake-up is noticed.
EVENT_POLL = 0.005


class ManualClock:
    """Wall and monotonic time that advance together, only through :meth:`advance`.

    A thread in :meth:`wait` stays there until its event is set or the clock is
    advanced past its deadline; :meth:`wait_for_sleep` lets a test block until a
    named thread has gone back to sleep, so what it did in between is settled.
    """

    def __init__(self, now: float = 1_700_000_000.0, monotonic: float = 1_000.0) -> None:
        self._now = now
        self._monotonic = monotonic
        self._changed = threading.Condition()
        self._entered: Counter[str] = Counter()  # waits begun, per thread name
        self._asleep: Counter[str] = Counter()  # waits under way, per thread name
        self.timeouts: list[float] = []  # every timeout asked of ``wait``, in order

    def now(self) -> float:
        with self._changed:
            return self._now

    def monotonic(self) -> float:
        with self._changed:
            return self._monotonic

    def advance(self, seconds: float) -> None:
        """Move both times forward; waits whose deadline passed then end."""
        if seconds < 0:
            raise ValueError("a clock never goes back")
        with self._changed:
            self._now += seconds
            self._monotonic += seconds
            self._changed.notify_all()

    def wait(self, event: threading.Event, timeout: float) -> bool:
        name = threading.current_thread().name
        with self._changed:
            deadline = self._monotonic + timeout
            self.timeouts.append(timeout)
            self._entered[name] += 1
            self._asleep[name] += 1
            self._changed.notify_all()
            try:
                while not event.is_set() and self._monotonic < deadline:
                    self._changed.wait(EVENT_POLL)
                return event.is_set()
            finally:
                self._asleep[name] -= 1
                self._changed.notify_all()

    def sleeps(self, thread: str) -> int:
        """How many waits the thread named ``thread`` has begun."""
        with self._changed:
            return self._entered[thread]

    def wait_for_sleep(self, thread: str, count: int, limit: float = 10.0) -> None:
        """Block until the thread named ``thread`` has begun its ``count``-th wait and
        is still in it.  ``limit`` (real seconds) only turns a hang into a failure."""
        with self._changed:
            settled = self._changed.wait_for(
                lambda: self._entered[thread] >= count and self._asleep[thread] > 0, limit
            )
        if not settled:
            raise AssertionError(
                f"{thread} began {self._entered[thread]} waits, not {count}, within {limit} s"
            )
