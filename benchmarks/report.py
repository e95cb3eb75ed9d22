"""Benchmark report: ``python -m benchmarks.report [--quick] [--only NAME ...]``.

Runs every benchmark module as a subprocess (each one is a separate command with its
own peer measured in the same run; running them apart keeps one benchmark's processes
and memory from skewing the next), parses the figures they print, and writes
``benchmarks/report.md`` (the table the README quotes) and ``benchmarks/report.json``.

The modules are not changed for the report: their printed lines are the interface,
parsed here with patterns that a unit test checks against captured output; the proof
core's ``--json`` flag is used where it exists. A module whose output no longer
matches yields a row marked "not parsed" rather than a silently missing figure.

The consortium benchmark and the log-size sweep print one JSON line (``--json``); the
report keeps that document and draws PNG plots from it (``benchmarks.plots``, matplotlib
from the ``test``/``bench`` extras), written next to ``report.md`` and linked from it.
What a run did not measure (the 10^7 log in quick mode, a benchmark that failed) is
listed under "Not measured", with the reason.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import plots

HERE = Path(__file__).resolve().parent
QUICK_SWEEP = ("--json", "--sizes", "10000", "100000", "1000000", "--seconds", "2")
ROOT = HERE.parent


@dataclasses.dataclass(frozen=True)
class Figure:
    """One measured figure, with its peer from the same run when there is one."""

    name: str
    value: float
    unit: str
    peer_name: str = ""
    peer_value: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not decidable from the output
    lower_is_better: bool = False  # times and costs: the peer's over ours

    @property
    def ratio(self) -> float | None:
        """Relative to the peer, > 1 always meaning better (as node_throughput prints it)."""
        if self.peer_value is None or self.peer_value == 0 or self.value == 0:
            return None
        if self.lower_is_better:
            return self.peer_value / self.value
        return self.value / self.peer_value

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "ratio": self.ratio}


Parser = Callable[[str], list[Figure]]


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _last_json_object(text: str) -> dict[str, Any]:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            value = json.loads(line)
            if isinstance(value, dict):
                return value
    raise ValueError("no JSON object line in the output")


def parse_core_merkle(text: str) -> list[Figure]:
    """``benchmarks.core_merkle --json``: one JSON line."""
    f = _last_json_object(text)
    leaves = int(f["leaves"])
    return [
        Figure(
            f"Merkle append, {leaves:,} leaves",
            f["append_per_s"],
            "leaves/s",
            "bare SHA-256 floor",
            f["hash_floor_per_s"],
            "≥ 500,000/s",
            f["append_per_s"] >= 500_000,
        ),
        Figure("inclusion proofs generated", f["proofs_generated_per_s"], "/s"),
        Figure(
            "inclusion proofs verified",
            f["proofs_verified_per_s"],
            "/s",
            target="≥ 50,000/s",
            met=f["proofs_verified_per_s"] >= 50_000,
        ),
        *_receipt_figures(f),
    ]


def _receipt_figures(f: dict[str, Any]) -> list[Figure]:
    """Offline receipt verification: with one process per core and CPU per receipt
    beside its floor (older output: one process only)."""
    rate = f.get("receipts_verified_offline_all_cores_per_s", f["receipts_verified_offline_per_s"])
    figures = [
        Figure("receipts verified offline", rate, "/s", target="≥ 50,000/s", met=rate >= 50_000)
    ]
    if "receipt_fast_cpu_us" in f:
        figures += [
            Figure(
                "CPU per canonical receipt (fast path)",
                f["receipt_fast_cpu_us"],
                "µs",
                "json.loads + SHA-256 of one proof",
                f["receipt_floor_cpu_us"],
                lower_is_better=True,
            ),
            Figure("CPU per non-canonical receipt (strict)", f["receipt_strict_cpu_us"], "µs"),
        ]
    return figures


_GAS_ROW = re.compile(r"^\s*([\d,]+) leaves, (.+?)\s{2,}(\d+)\s+([\d,]+)\s+(ok|\+[\d,]+)\s*$")
_GAS_OTHER = re.compile(r"^\s{2}((?:status|anchor|register issuer|deploy)\b.*?)\s{2,}([\d,]+)\s*$")


def parse_contracts_gas(text: str) -> list[Figure]:
    """The anchor table (worst case per log size) and the other operations."""
    worst: dict[int, int] = {}
    for line in text.splitlines():
        row = _GAS_ROW.match(line)
        if row:
            size, gas = int(_num(row.group(1))), int(_num(row.group(4)))
            worst[size] = max(worst.get(size, 0), gas)
    figures = [
        Figure(
            f"gas per anchor with proof, log of {size:,} (worst)",
            gas,
            "gas",
            "",
            None,
            "≤ 100,000",
            gas <= 100_000,
        )
        for size, gas in sorted(worst.items())
    ]
    for line in text.splitlines():
        other = _GAS_OTHER.match(line)
        if other and not _GAS_ROW.match(line):
            figures.append(Figure(f"gas: {other.group(1).strip()}", _num(other.group(2)), "gas"))
    if not worst:
        raise ValueError("no anchor gas rows")
    return figures


_NODE_ROW = re.compile(r"^(\S.*?|\s+\S.*?)\s{2,}([\d.]+)\s+([\d.]+)\s+([\d.]+)x\s*$")
_NODE_FIGURES = {
    "anchor tx/s (submitted + mined)": ("node: anchor tx/s through JSON-RPC, mined", "tx/s"),
    "submission only, tx/s": ("node: anchor submission only", "tx/s"),
    "node CPU ms per mined tx": ("node: CPU per mined anchor tx", "ms"),
    "eth_call/s": ("node: eth_call", "/s"),
    "eth_getLogs, s per query": ("node: eth_getLogs over the events", "s"),
}
_LOWER_IS_BETTER = frozenset({"ms", "s"})


def parse_node_throughput(text: str) -> list[Figure]:
    """The govchain / hardhat / ratio table; the target is ≥ 1.0× Hardhat."""
    figures: list[Figure] = []
    for line in text.splitlines():
        row = _NODE_ROW.match(line)
        if not row or row.group(1).strip() not in _NODE_FIGURES:
            continue
        name, unit = _NODE_FIGURES[row.group(1).strip()]
        ours, theirs = _num(row.group(2)), _num(row.group(3))
        better = ours <= theirs if unit in _LOWER_IS_BETTER else ours >= theirs
        lower = unit in _LOWER_IS_BETTER
        figures.append(Figure(name, ours, unit, "Hardhat", theirs, "≥ 1.0× Hardhat", better, lower))
    if not figures:
        raise ValueError("no node figure rows")
    return figures


_THROUGHPUT = re.compile(r"accepted ([\d,]+)/s, anchored end to end ([\d,]+)/s")
_LATENCY = re.compile(
    r"latency submit->anchored.*?p50 (\d+) ms, p99 (\d+) ms \(target p99 <= (\d+)"
)
#: The lookup the target is judged on: distinct digests (older runs printed one
#: "lookup by digest:" line over a few hot digests).
_LOOKUP = re.compile(
    r"lookup by digest(?:, [\d,]+ distinct digests[^:]*)?: "
    r"([\d,]+) requests/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms"
)
_HOT_LOOKUP = re.compile(r"lookup by digest, \d+ hot digests \(cached\): ([\d,]+) requests/s")
_PEER = re.compile(r"peer \(naive.*?\): ([\d,]+) documents/s")


def parse_notary_throughput(text: str) -> list[Figure]:
    """End-to-end rate beside the naive Hardhat peer, latency, lookup rate and p99."""
    throughput = _THROUGHPUT.search(text)
    if throughput is None:
        raise ValueError("no throughput line")
    anchored = _num(throughput.group(2))
    peer = _PEER.search(text)
    peer_value = _num(peer.group(1)) if peer else None
    figures = [
        Figure(
            "notarised digests/s end to end (accepted + anchored)",
            anchored,
            "digests/s",
            "one tx per document on Hardhat" if peer else "",
            peer_value,
            "100,000/s and ≥ 100× the naive peer",
            anchored >= 100_000 and (peer_value is None or anchored >= 100 * peer_value),
        ),
        Figure("notary: digests accepted durably", _num(throughput.group(1)), "digests/s"),
    ]
    latency = _LATENCY.search(text)
    if latency:
        p99, bound = _num(latency.group(2)), _num(latency.group(3))
        figures.append(Figure("submit → anchored receipt, p50", _num(latency.group(1)), "ms"))
        figures.append(
            Figure(
                "submit → anchored receipt, p99",
                p99,
                "ms",
                "",
                None,
                f"≤ {bound:,.0f} ms",
                p99 <= bound,
            )
        )
    lookup = _LOOKUP.search(text)
    if lookup:
        rate, p99 = _num(lookup.group(1)), _num(lookup.group(3))
        figures.append(
            Figure(
                "lookup by digest over HTTP",
                rate,
                "requests/s",
                "",
                None,
                "≥ 3,000/s",
                rate >= 3_000,
            )
        )
        figures.append(Figure("lookup by digest, p99", p99, "ms", "", None, "≤ 50 ms", p99 <= 50))
    hot = _HOT_LOOKUP.search(text)
    if hot:
        figures.append(
            Figure("lookup by digest, hot digests (cached)", _num(hot.group(1)), "requests/s")
        )
    return figures


TARGET_CONSORTIUM_TX = 100.0
TARGET_FINALITY_P95_MS = 2_000.0


def parse_consortium(text: str) -> list[Figure]:
    """``benchmarks.consortium_throughput --json``: each phase's rate, finality and CPU; the
    phase with a validator down beside the healthy phase of the same run."""
    document = _last_json_object(text)
    phases = document["phases"]
    healthy = phases[0]
    figures = [
        Figure(
            f"consortium idle: blocks in {document['idle_seconds']:.0f} s "
            f"(empty_block_period {document['empty_block_period_s']:g} s)",
            document["idle_blocks"],
            "blocks",
            target="empty_block_period honoured",
            met=bool(document["empty_block_period_honoured"]),
            lower_is_better=True,
        )
    ]
    for phase in phases:
        peer = phase is not healthy
        label = f"consortium, {phase['name']} ({phase['validators_up']} validators up)"
        p95_ms = phase["p95_s"] * 1000
        figures += [
            Figure(
                f"{label}: anchor tx/s mined",
                phase["mined_per_s"],
                "tx/s",
                "healthy" if peer else "",
                healthy["mined_per_s"] if peer else None,
                f"≥ {TARGET_CONSORTIUM_TX:.0f} tx/s",
                phase["mined_per_s"] >= TARGET_CONSORTIUM_TX,
            ),
            Figure(f"{label}: finality p50", phase["p50_s"] * 1000, "ms", lower_is_better=True),
            Figure(
                f"{label}: finality p95",
                p95_ms,
                "ms",
                "healthy" if peer else "",
                healthy["p95_s"] * 1000 if peer else None,
                f"≤ {TARGET_FINALITY_P95_MS:,.0f} ms",
                p95_ms <= TARGET_FINALITY_P95_MS,
                True,
            ),
            Figure(
                f"{label}: node CPU per mined tx (all nodes)",
                phase["node_cpu_ms_per_tx"],
                "ms",
                lower_is_better=True,
            ),
        ]
    return figures


def _power(size: int) -> str:
    exponent = len(str(size)) - 1
    return f"10^{exponent}" if size == 10**exponent else f"{size:,}"


def parse_log_size_sweep(text: str) -> list[Figure]:
    """``benchmarks.log_size_sweep --json``: per log size, the notary's end-to-end figures
    and the proof costs, each beside the same figure at the smallest size of the run."""
    rows = _last_json_object(text)["rows"]
    if not rows:
        raise ValueError("no log sizes in the sweep")
    first = rows[0]
    chosen = (
        ("notary", "anchored_per_s", "notarised digests/s end to end", "digests/s", False),
        ("notary", "latency_p99_ms", "submit → anchored p99", "ms", True),
        ("notary", "lookup_p99_ms", "lookup by digest p99 (cached)", "ms", True),
        ("notary", "cold_lookup_p99_ms", "first lookup p99 (spread over the log)", "ms", True),
        ("notary", "store_inclusion_generate_us", "inclusion proof from the database", "µs", True),
        ("core", "append_per_s", "Merkle append, in memory", "leaves/s", False),
        ("core", "inclusion_verify_us", "inclusion proof verified", "µs", True),
        ("core", "consistency_generate_us", "consistency proof generated, in memory", "µs", True),
    )
    figures = []
    for row in rows:
        for source, key, name, unit, lower in chosen:
            later = row is not first
            figures.append(
                Figure(
                    f"log of {_power(row['size'])}: {name}",
                    row[source][key],
                    unit,
                    f"log of {_power(first['size'])}" if later else "",
                    first[source][key] if later else None,
                    lower_is_better=lower,
                )
            )
    return figures


_QBFT = re.compile(r"^n=(\d+)\s+(\S+): +([\d.]+) heights/s")


def parse_qbft(text: str) -> list[Figure]:
    """Heights/s of the pure QBFT core, all validators of one simulated network."""
    figures = [
        Figure(f"QBFT core, n={m.group(1)}, {m.group(2)} signatures", _num(m.group(3)), "heights/s")
        for m in map(_QBFT.match, text.splitlines())
        if m
    ]
    if not figures:
        raise ValueError("no QBFT rows")
    return figures


_IOT = re.compile(
    r"^(parse \+ canonicalise|spool commit, groups \d+|published \(QoS 1\)|"
    r"spooled and acknowledged|accepted by the notary|anchored, receipts stored)"
    r"\s+([\d,]+) readings/s"
)


def parse_iot_bridge(text: str) -> list[Figure]:
    figures = [
        Figure(f"IoT bridge: {m.group(1)}", _num(m.group(2)), "readings/s")
        for m in map(_IOT.match, text.splitlines())
        if m
    ]
    if not figures:
        raise ValueError("no IoT bridge rows")
    return figures


@dataclasses.dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    timeout: float
    parse: Parser
    #: PNG plots drawn from the module's JSON document, into the report's directory
    plots: tuple[Callable[[dict[str, Any], Path], str], ...] = ()


BENCHMARKS = (
    Benchmark(
        "core_merkle",
        "benchmarks.core_merkle",
        ("--json",),
        ("--json", "--leaves", "20000"),
        1800,
        parse_core_merkle,
    ),
    Benchmark("contracts_gas", "benchmarks.contracts_gas", (), (), 600, parse_contracts_gas),
    Benchmark(
        "node_throughput",
        "benchmarks.node_throughput",
        (),
        ("--txs", "300", "--calls", "300", "--rounds", "1"),
        1800,
        parse_node_throughput,
    ),
    Benchmark(
        "notary_throughput",
        "benchmarks.notary_throughput",
        (),
        ("--seconds", "3"),
        1800,
        parse_notary_throughput,
    ),
    Benchmark(
        "qbft_consensus", "benchmarks.qbft_consensus", (), ("--heights", "20"), 600, parse_qbft
    ),
    Benchmark(
        "iot_bridge",
        "benchmarks.iot_bridge",
        (),
        ("--readings", "500", "--rate", "500"),
        900,
        parse_iot_bridge,
    ),
    Benchmark(
        "consortium_throughput",
        "benchmarks.consortium_throughput",
        ("--json",),
        ("--json", "--seconds", "8", "--window", "4"),
        1200,
        parse_consortium,
        (plots.consortium_latency,),
    ),
    Benchmark(
        "log_size_sweep",
        "benchmarks.log_size_sweep",
        ("--json",),
        QUICK_SWEEP,
        7200,
        parse_log_size_sweep,
        (plots.sweep_throughput, plots.sweep_latency),
    ),
)


def not_measured(results: Sequence[Result], quick: bool) -> list[tuple[str, str]]:
    """What this run did not measure, and why: failed benchmarks and the quick sizes."""
    missing = [
        (f"{r.benchmark}: every figure", r.error) for r in results if r.error and not r.figures
    ]
    if quick and any(r.benchmark == "log_size_sweep" for r in results):
        missing.append(
            (
                "log-size sweep at 10^7 documents",
                "quick mode stops at 10^6; `python -m benchmarks.log_size_sweep` runs "
                "10^4 to 10^7 (about 15 minutes)",
            )
        )
    return missing


@dataclasses.dataclass
class Result:
    benchmark: str
    command: list[str]
    returncode: int | None
    seconds: float
    figures: list[Figure]
    error: str = ""
    output_tail: str = ""
    data: dict[str, Any] | None = None  # the module's JSON document, for plots


def run_one(bench: Benchmark, quick: bool) -> Result:
    """Run one module to completion (bounded by its timeout) and parse what it printed."""
    command = [sys.executable, "-m", bench.module, *(bench.quick if quick else bench.full)]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=bench.timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else ""
        return Result(
            bench.name,
            command,
            None,
            time.monotonic() - started,
            [],
            f"timed out after {bench.timeout:.0f} s",
            out[-2000:],
        )
    seconds = time.monotonic() - started
    tail = (completed.stdout + completed.stderr)[-2000:]
    data = None
    try:
        figures = bench.parse(completed.stdout)
        error = "" if completed.returncode == 0 else f"exit status {completed.returncode}"
        if bench.plots:
            data = _last_json_object(completed.stdout)
    except (ValueError, KeyError) as exc:
        figures, error = [], f"not parsed: {exc}"
    return Result(bench.name, command, completed.returncode, seconds, figures, error, tail, data)


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{text} {unit}".strip()


def render_markdown(results: Sequence[Result], meta: dict[str, Any]) -> str:
    """The README table: figure, value, peer from the same run, ratio, target."""
    sizes = " — quick sizes" if meta["quick"] else ""
    lines = [
        "# govchain benchmark report",
        "",
        f"Generated {meta['generated']} by `{meta['command']}` on {meta['cpus']} CPUs "
        f"(load average {meta['load_average']:.1f} at start){sizes}.",
        "Ratios compare with the peer measured in the same run; > 1 means govchain is better "
        "(for times and costs: peer / value).",
        "",
        "| benchmark | figure | value | peer in the same run | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        if result.error and not result.figures:
            lines.append(f"| {result.benchmark} | **failed** | {result.error} | | | |")
        for f in result.figures:
            peer = (
                f"{f.peer_name}: {_fmt(f.peer_value, f.unit)}" if f.peer_value is not None else ""
            )
            ratio = f"{f.ratio:.2f}×" if f.ratio is not None else ""
            mark = {True: " ✓", False: " ✗", None: ""}[f.met]
            lines.append(
                f"| {result.benchmark} | {f.name} | {_fmt(f.value, f.unit)} | {peer} | {ratio} "
                f"| {f.target}{mark} |"
            )
    missing = not_measured(results, meta["quick"])
    if missing:
        lines += ["", "## Not measured", ""]
        lines += [f"- {what}: {why}." for what, why in missing]
    lines += ["", "## Plots", ""]
    lines += [f"![{name}]({name})" for name in meta["plots"]] or ["none"]
    lines.append("")
    return "\n".join(lines)


def write_plots(results: Sequence[Result], out: Path) -> list[str]:
    """The PNG files of every benchmark that has plots and printed its JSON document."""
    benches = {b.name: b for b in BENCHMARKS}
    written = []
    for result in results:
        bench = benches.get(result.benchmark)
        if bench is None or result.data is None:
            continue
        written += [plot(result.data, out) for plot in bench.plots]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes, not hours)")
    parser.add_argument("--only", nargs="*", choices=[b.name for b in BENCHMARKS], default=None)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHMARKS if args.only is None or b.name in args.only]
    meta: dict[str, Any] = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.report" + (" --quick" if args.quick else ""),
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
    results = []
    for bench in chosen:
        print(f"[report] {bench.name} …", flush=True)
        result = run_one(bench, args.quick)
        print(
            f"[report] {bench.name}: {len(result.figures)} figures in {result.seconds:.0f} s "
            f"{result.error}",
            flush=True,
        )
        results.append(result)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    meta["plots"] = write_plots(results, out)
    (out / "report.md").write_text(render_markdown(results, meta), encoding="utf-8")
    document = {
        **meta,
        "benchmarks": [
            {**dataclasses.asdict(r), "figures": [f.to_json() for f in r.figures]} for r in results
        ],
        "not_measured": [{"figure": w, "reason": r} for w, r in not_measured(results, args.quick)],
    }
    (out / "report.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"[report] wrote {out / 'report.md'} and {out / 'report.json'}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
