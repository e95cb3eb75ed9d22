"""Waiting for a condition in tests: poll it until a deadline, never sleep and assume.

A test that sleeps and then asserts guesses how long the system needs; on a loaded
machine it fails, on a fast one it proves nothing. These helpers poll a condition and
fail the test with what was awaited when the deadline passes. They return the seconds
the wait took (an upper bound of when the condition became true), for tests that also
bound the time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest


def _timed_out(what: str, timeout: float) -> None:
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def wait_until(
    what: str, condition: Callable[[], bool], timeout: float, every: float = 0.2
) -> float:
    """Poll ``condition`` every ``every`` seconds until it is true; fails on timeout."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            _timed_out(what, timeout)
        time.sleep(every)
    return time.monotonic() - start


async def eventually(
    condition: Callable[[], bool],
    timeout: float = 10.0,
    what: str = "condition",
    every: float = 0.02,
) -> float:
    """:func:`wait_until` inside an event loop: the loop keeps running between polls."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            _timed_out(what, timeout)
        await asyncio.sleep(every)
    return time.monotonic() - start
