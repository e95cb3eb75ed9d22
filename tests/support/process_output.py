"""Test subprocesses: wait for one to announce its URL on stdout (shared by the node
helpers), and stop one as an operator would."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable


def wait_for_announcement(
    process: subprocess.Popen[str],
    extract: Callable[[str], str | None],
    timeout: float,
    what: str,
    tail: int | None = None,
) -> tuple[str | None, list[str]]:
    """Pump ``process``'s stdout in a background thread until ``extract`` finds a value.

    Returns the value (``None`` if stdout closed first) and the live list of output
    lines, which the thread keeps filling. On timeout kills the process and raises
    :class:`TimeoutError` naming ``what`` with the last ``tail`` lines (all if ``None``).
    """
    output: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            value = extract(line.strip())
            if value is not None:
                found.append(value)
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            process.kill()
            shown = output if tail is None else output[-tail:]
            raise TimeoutError(f"{what} did not start:\n" + "\n".join(shown))
    return (found[0] if found else None), output


def interrupt(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 20
) -> None:
    """Stop ``process`` with SIGINT (Ctrl-C) and wait; kill it if it has not ended after
    ``timeout`` seconds. Does nothing to a process that has ended already."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
