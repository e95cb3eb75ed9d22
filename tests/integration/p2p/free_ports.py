"""Free TCP ports on 127.0.0.1, for configurations that must name ports before binding."""

from __future__ import annotations

import contextlib
import socket


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports the kernel just handed out (held together, then released)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]


def free_port_block(size: int, attempts: int = 50) -> int:
    """A base port ``b`` such that ``b … b+size-1`` are all free right now."""
    for _ in range(attempts):
        (base,) = free_ports(1)
        if base + size > 65535:
            continue
        with contextlib.ExitStack() as stack:
            try:
                for port in range(base, base + size):
                    s = stack.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return base
    raise RuntimeError("no block of free ports found")
