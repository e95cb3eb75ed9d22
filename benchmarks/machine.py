"""The conditions a benchmark ran under, printed beside its figures (CPUs, load average)."""

from __future__ import annotations

import os


def cpus() -> int:
    return os.cpu_count() or 1


def load_average() -> float:
    """One-minute load average: on this shared machine, how busy the other cores were."""
    return os.getloadavg()[0]


def describe() -> str:
    return f"{cpus()} CPUs, load average {load_average():.1f}"
