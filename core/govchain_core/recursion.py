"""One recursion limit for every govchain server process, safe for its C stacks.

``py_ecc`` (imported by py-evm and by eth-account through eth-keyfile) raises the
interpreter's recursion limit to 100,000 when it is imported.  In CPython 3.11 the
limit also bounds recursion in C (the JSON decoder and encoder, ``repr``, pickle,
Python code called back from C), and 100,000 such levels need more than the 8 MiB a
thread's stack usually has: a deeply nested input then kills the whole process with
a segmentation fault instead of raising ``RecursionError``.

:func:`apply` (called by the node and the notary packages when they are imported,
before they serve anything) undoes that in one place:

- it imports ``py_ecc`` first, if installed, so that its raise happens before ours;
- it gives every thread the process starts from now on a stack of
  :data:`STACK_BYTES` (``threading.stack_size``) and lets the main thread's stack grow
  as far (the soft ``RLIMIT_STACK``, which Linux consults as the stack grows);
- it sets the limit to :data:`RECURSION_LIMIT`, or lower when the main thread's stack
  cannot grow that far.

Why 12,288 and not CPython's default 1,000: the EVM recurses in Python for nested
calls.  Measured with govchain's interpreter (tests/integration/node/
test_recursion_limit.py), a contract that calls itself down to the EVM's call-depth
limit of 1024 needs about 7,500 levels; at 7,000 it fails.  py-evm sets 12,288
itself when imported (``max(12288, current)``); using the same value makes that a
no-op whenever py-evm is imported after :func:`apply`.  The limit is process-wide
in CPython 3.11 (not per thread), so every thread, not only the EVM's, needs a stack
that survives it.  Measured on CPython 3.11 x86-64, one level costs at most about 750
bytes of C stack (Python called back from C through ``__call__``); JSON decoding,
``repr`` and pickle cost 110-175 bytes.  :data:`BYTES_PER_LEVEL` budgets 3 KiB.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading

log = logging.getLogger(__name__)

#: Levels of Python recursion allowed: EVM call depth 1024 needs about 7,500; py-evm's
#: own ``EVM_RECURSION_LIMIT``.
RECURSION_LIMIT = 12_288
#: C-stack budget per level: four times the worst cost measured (about 750 bytes).
BYTES_PER_LEVEL = 3 * 1024
#: Stack of every thread started after :func:`apply` (virtual memory; pages are
#: only committed as they are used).
STACK_BYTES = RECURSION_LIMIT * BYTES_PER_LEVEL + (2 << 20)
#: Libraries known to raise the limit when imported.
_RAISERS = ("py_ecc",)


def apply() -> int:
    """Set the process-wide recursion limit (idempotent); returns the limit set."""
    for name in _RAISERS:
        if name not in sys.modules and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    threading.stack_size(STACK_BYTES)
    main_stack = _grow_main_stack(STACK_BYTES)
    limit = min(RECURSION_LIMIT, max(1_000, (main_stack - (2 << 20)) // BYTES_PER_LEVEL))
    if limit < RECURSION_LIMIT:
        log.warning(
            "main thread stack is %d bytes (ulimit -s): recursion limit %d, "
            "EVM calls nested deeper than about %d levels fail",
            main_stack,
            limit,
            limit * 1024 // 7_500,
        )
    sys.setrecursionlimit(limit)
    return limit


def _grow_main_stack(wanted: int) -> int:
    """Raise the soft stack limit to ``wanted`` if allowed; return the main thread's
    stack size (``wanted`` where the platform has no such limit)."""
    try:
        import resource
    except ImportError:  # not POSIX: the main thread's stack is fixed by the binary
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_STACK, (target, hard))
    except (ValueError, OSError):
        return soft
    return target
