"""PNG plots for the benchmark report, drawn with matplotlib's Agg backend (no display).

Each function takes the JSON document a benchmark module printed (``--json``) and
writes one PNG; the report links the files from ``report.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # after use("Agg"): no display needed
from matplotlib.axes import Axes

SWEEP_THROUGHPUT = "report-sweep-throughput.png"
SWEEP_LATENCY = "report-sweep-latency.png"
CONSORTIUM_LATENCY = "report-consortium-latency.png"


def _log_x(ax: Axes, sizes: Sequence[int]) -> None:
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"$10^{{{len(str(s)) - 1}}}$" for s in sizes])
    ax.set_xlabel("documents in the issuer's log")
    ax.grid(True, which="major", alpha=0.3)


def _save(fig: Any, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path.name


Series = Sequence[tuple[str, str, str]]
"""``(part, key, label)``: ``row[part][key]`` of every sweep row is one line."""


def _sweep_panel(ax: Axes, rows: Sequence[dict[str, Any]], series: Series, unit: str) -> None:
    sizes = [row["size"] for row in rows]
    for part, key, label in series:
        ax.plot(sizes, [row[part][key] for row in rows], marker="o", label=label)
    _log_x(ax, sizes)
    ax.set_yscale("log")
    ax.set_ylabel(unit)
    ax.legend(fontsize="small")


def sweep_throughput(document: dict[str, Any], out: Path) -> str:
    """Notary digests/s (accepted, anchored) and lookups/s against the log size."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    series = (
        ("notary", "accepted_per_s", "digests accepted durably /s"),
        ("notary", "anchored_per_s", "digests anchored end to end /s"),
        ("notary", "lookup_per_s", "lookups by digest /s (cached)"),
        ("notary", "cold_lookup_per_s", "first lookups by digest /s (spread over the log)"),
    )
    _sweep_panel(ax, document["rows"], series, "per second")
    ax.set_title("Notary throughput vs log size")
    return _save(fig, out / SWEEP_THROUGHPUT)


def sweep_latency(document: dict[str, Any], out: Path) -> str:
    """Notary latencies (ms) and proof costs (µs) against the log size, two panels."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    latencies = (
        ("notary", "latency_p50_ms", "submit → anchored p50"),
        ("notary", "latency_p99_ms", "submit → anchored p99"),
        ("notary", "lookup_p99_ms", "lookup by digest p99 (cached)"),
        ("notary", "cold_lookup_p99_ms", "first lookup p99 (spread over the log)"),
    )
    _sweep_panel(left, document["rows"], latencies, "ms")
    left.set_title("Notary latency vs log size")
    proofs = (
        ("notary", "store_inclusion_generate_us", "inclusion proof, notary database"),
        ("notary", "store_consistency_generate_us", "consistency proof, notary database"),
        ("core", "inclusion_generate_us", "inclusion proof, in memory"),
        ("core", "inclusion_verify_us", "inclusion verify"),
        ("core", "consistency_generate_us", "consistency proof, in memory"),
    )
    _sweep_panel(right, document["rows"], proofs, "µs per proof")
    right.set_title("Proof cost vs log size")
    return _save(fig, out / SWEEP_LATENCY)


def consortium_latency(document: dict[str, Any], out: Path) -> str:
    """Finality latency distribution (empirical CDF) of each consortium phase."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for phase in document["phases"]:
        samples = sorted(phase["latencies_ms"])
        if not samples:
            continue
        fractions = [(n + 1) / len(samples) for n in range(len(samples))]
        label = (
            f"{phase['name']} ({phase['validators_up']} up): "
            f"{phase['mined_per_s']:.0f} tx/s, p95 {phase['p95_s'] * 1000:,.0f} ms"
        )
        ax.step([s / 1000 for s in samples], fractions, where="post", label=label)
    ax.axvline(2.0, color="grey", linestyle="--", linewidth=1, label="target p95 ≤ 2 s")
    ax.set_xlabel("submit → included in a committed block (s)")
    ax.set_ylabel("fraction of transactions")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"Consortium finality, {document['block_period_s']:g} s blocks")
    ax.legend(fontsize="small", loc="lower right")
    return _save(fig, out / CONSORTIUM_LATENCY)
