"""``benchmarks.report`` parses what the benchmark modules print.

Why: the report reads the modules' printed lines, so a reworded line would drop a
figure from the README table. ``samples/`` holds output captured from real quick runs
(2-core machine, 2026-11-22); if a module's output changes, recapture its sample.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import report
from benchmarks.report import Figure, Result

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def by_name(figures: list[Figure]) -> dict[str, Figure]:
    return {f.name: f for f in figures}


def run_meta(plots: list[str]) -> dict[str, Any]:
    """What ``main`` passes to ``render_markdown`` for a quick run."""
    return {
        "generated": "now",
        "command": "x",
        "quick": True,
        "cpus": 2,
        "load_average": 1.0,
        "plots": plots,
    }


def test_core_merkle_json() -> None:
    figures = by_name(report.parse_core_merkle(sample("core_json.txt")))
    append = figures["Merkle append, 20,000 leaves"]
    assert append.value == pytest.approx(614705.43, rel=1e-6)
    assert append.peer_value == pytest.approx(741123.13, rel=1e-6)
    assert append.ratio == pytest.approx(0.8294, rel=1e-3)
    assert append.met is True
    assert figures["receipts verified offline"].met is False


def test_core_merkle_json_with_one_process_per_core() -> None:
    figures = by_name(report.parse_core_merkle(sample("core_json_cores.txt")))
    receipts = figures["receipts verified offline"]
    assert receipts.value == pytest.approx(34547.36, rel=1e-6)  # the two processes' rate
    assert receipts.met is False
    fast = figures["CPU per canonical receipt (fast path)"]
    assert fast.value == pytest.approx(26.50, rel=1e-3)
    assert fast.peer_value == pytest.approx(14.34, rel=1e-3)
    assert fast.ratio == pytest.approx(14.34 / 26.50, rel=1e-3)
    assert figures["CPU per non-canonical receipt (strict)"].value == pytest.approx(56.87, rel=1e-3)


def test_contracts_gas_worst_case_per_log_size() -> None:
    figures = by_name(report.parse_contracts_gas(sample("gas.txt")))
    assert figures["gas per anchor with proof, log of 1,000 (worst)"].value == 95_820
    assert figures["gas per anchor with proof, log of 1,000 (worst)"].met is True
    assert figures["gas per anchor with proof, log of 1,000,000,000 (worst)"].value == 120_020
    assert figures["gas per anchor with proof, log of 1,000,000,000 (worst)"].met is False
    assert figures["gas: status: revoke (first change)"].value == 56_373
    assert figures["gas: deploy IssuerRegistry"].value == 2_385_309


def test_node_throughput_beside_hardhat() -> None:
    figures = by_name(report.parse_node_throughput(sample("node.txt")))
    tx = figures["node: anchor tx/s through JSON-RPC, mined"]
    assert (tx.value, tx.peer_value, tx.met) == (88.637, 226.704, False)
    assert tx.ratio == pytest.approx(0.39, abs=0.005)
    assert figures["node: eth_call"].value == 332.547
    cpu = figures["node: CPU per mined anchor tx"]  # 1.900 ms vs 1.367 ms: worse
    assert cpu.lower_is_better
    assert cpu.ratio == pytest.approx(0.72, abs=0.005)
    assert cpu.met is False
    assert "node: eth_getLogs over the events" in figures
    assert len(figures) == 5


def test_notary_throughput_lookup_and_peer() -> None:
    figures = by_name(report.parse_notary_throughput(sample("notary.txt")))
    e2e = figures["notarised digests/s end to end (accepted + anchored)"]
    assert (e2e.value, e2e.peer_value, e2e.met) == (7_943, 140, False)
    assert figures["submit → anchored receipt, p99"].value == 1332
    assert figures["submit → anchored receipt, p99"].met is True
    assert figures["lookup by digest over HTTP"].value == 4_148
    assert figures["lookup by digest, p99"].met is False  # 116.1 ms in this sample
    assert figures["lookup by digest, hot digests (cached)"].value == 9_021
    assert figures["lookup by digest, hot digests (cached)"].met is None


def test_notary_throughput_older_single_lookup_line() -> None:
    text = sample("notary.txt").replace(
        "lookup by digest, 36,000 distinct digests from the throughput run (cache misses):",
        "lookup by digest:",
    )
    figures = by_name(report.parse_notary_throughput(text))
    assert figures["lookup by digest over HTTP"].value == 4_148


def test_qbft_and_iot() -> None:
    qbft = by_name(report.parse_qbft(sample("qbft.txt")))
    assert qbft["QBFT core, n=4, secp256k1 signatures"].value == 35.2
    iot = by_name(report.parse_iot_bridge(sample("iot.txt")))
    assert iot["IoT bridge: spooled and acknowledged"].value == 474
    assert iot["IoT bridge: spool commit, groups 500"].value == 9_495
    assert len(iot) == 7


@pytest.mark.parametrize(
    "parse",
    [
        report.parse_core_merkle,
        report.parse_contracts_gas,
        report.parse_node_throughput,
        report.parse_notary_throughput,
        report.parse_qbft,
        report.parse_iot_bridge,
    ],
)
def test_unrecognised_output_is_an_error_not_an_empty_row(parse: report.Parser) -> None:
    with pytest.raises(ValueError, match=r"^no "):
        parse("Traceback (most recent call last):\n  something broke\n")


def test_markdown_and_json_rendering(tmp_path: Path) -> None:
    ok = Result(
        "node_throughput", ["python"], 0, 1.0, report.parse_node_throughput(sample("node.txt"))
    )
    broken = Result("qbft_consensus", ["python"], 1, 1.0, [], "not parsed: no QBFT rows")
    text = report.render_markdown([ok, broken], run_meta([]))
    assert "| node_throughput | node: anchor tx/s through JSON-RPC, mined | 88.6 tx/s |" in text
    assert "Hardhat: 227 tx/s | 0.39× | ≥ 1.0× Hardhat ✗ |" in text
    assert "| qbft_consensus | **failed** | not parsed: no QBFT rows |" in text
    assert "Not measured" in text  # the failed benchmark
    assert json.dumps([f.to_json() for f in ok.figures])  # serialisable, ratio included


def test_every_benchmark_module_exists() -> None:
    root = Path(report.__file__).parent
    for bench in report.BENCHMARKS:
        assert (root / (bench.module.split(".")[1] + ".py")).is_file(), bench.module


def test_log_size_sweep_rows_beside_the_smallest_size() -> None:
    figures = by_name(report.parse_log_size_sweep(sample("sweep.txt")))
    first = figures["log of 10^4: notarised digests/s end to end"]
    assert first.value == pytest.approx(34822.7, abs=0.1)
    assert first.peer_value is None
    later = figures["log of 10^5: notarised digests/s end to end"]
    assert later.peer_name == "log of 10^4"
    assert later.ratio == pytest.approx(27480.1 / 34822.7, rel=1e-4)
    proof = figures["log of 10^5: inclusion proof from the database"]
    assert proof.lower_is_better
    assert proof.ratio == pytest.approx(820.7 / 724.3, rel=1e-3)  # faster at 10^5 here
    assert figures["log of 10^4: first lookup p99 (spread over the log)"].value == pytest.approx(
        256.7, abs=0.1
    )
    assert len(figures) == 2 * 8


def test_consortium_phases_with_the_healthy_phase_as_peer() -> None:
    figures = by_name(report.parse_consortium(sample("consortium.txt")))
    idle = next(f for name, f in figures.items() if name.startswith("consortium idle"))
    assert idle.met is False  # empty blocks every second, empty_block_period 60 s
    healthy = figures["consortium, healthy (4 validators up): anchor tx/s mined"]
    down = figures["consortium, one validator down (3 validators up): anchor tx/s mined"]
    assert healthy.peer_value is None
    assert down.peer_value == healthy.value
    assert healthy.met is (healthy.value >= 100)
    p95 = figures["consortium, one validator down (3 validators up): finality p95"]
    assert p95.lower_is_better
    assert p95.met is (p95.value <= 2000)
    assert len(figures) == 1 + 2 * 4


@pytest.mark.parametrize("parse", [report.parse_consortium, report.parse_log_size_sweep])
def test_json_modules_without_their_document_are_an_error(parse: report.Parser) -> None:
    with pytest.raises(ValueError, match="no JSON object line"):
        parse("Traceback (most recent call last):\n")


def test_plots_are_written_and_linked(tmp_path: Path) -> None:
    results = [
        Result(
            name,
            ["python"],
            0,
            1.0,
            parse(sample(file)),
            data=report._last_json_object(sample(file)),
        )
        for name, parse, file in (
            ("log_size_sweep", report.parse_log_size_sweep, "sweep.txt"),
            ("consortium_throughput", report.parse_consortium, "consortium.txt"),
        )
    ]
    names = report.write_plots(results, tmp_path)
    assert sorted(names) == [
        "report-consortium-latency.png",
        "report-sweep-latency.png",
        "report-sweep-throughput.png",
    ]
    for name in names:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = report.render_markdown(results, run_meta(names))
    assert "![report-sweep-latency.png](report-sweep-latency.png)" in text
    assert "log-size sweep at 10^7 documents" in text  # quick mode stops at 10^6


def test_not_measured_lists_failures_and_nothing_else_in_a_full_run() -> None:
    ok = Result(
        "log_size_sweep", ["python"], 0, 1.0, report.parse_log_size_sweep(sample("sweep.txt"))
    )
    broken = Result("qbft_consensus", ["python"], 1, 1.0, [], "not parsed: no QBFT rows")
    assert report.not_measured([ok], quick=False) == []
    assert report.not_measured([ok, broken], quick=False) == [
        ("qbft_consensus: every figure", "not parsed: no QBFT rows")
    ]
