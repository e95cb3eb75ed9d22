"""Wait for a test subprocess to announce its URL on stdout (shared by the node helpers)."""

from __future__ import annotations

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
