"""``benchmarks.report`` parses what the benchmark modules print.

Why: the report reads the modules' printed lines, so a reworded line would drop a
figure from the README table. ``samples/`` holds output captured from real quick runs
(2-core machine, 2026-11-22); if a module's output changes, recapture its sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.report import Figure, Result

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def by_name(figures: list[Figure]) -> dict[str, Figure]:
    return {f.name: f for f in figures}


def test_core_merkle_json() -> None:
    figures = by_name(report.parse_core_merkle(sample("core_json.txt")))
    append = figures["Merkle append, 20,000 leaves"]
    assert append.value == pytest.approx(614705.43, rel=1e-6)
    assert append.peer_value == pytest.approx(741123.13, rel=1e-6)
    assert append.ratio == pytest.approx(0.8294, rel=1e-3)
    assert append.met is True
    assert figures["receipts verified offline"].met is False


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
    meta = {
        "generated": "now",
        "command": "x",
        "quick": True,
        "cpus": 2,
        "load_average": 1.0,
        "plots": "none",
    }
    text = report.render_markdown([ok, broken], meta)
    assert "| node_throughput | node: anchor tx/s through JSON-RPC, mined | 88.6 tx/s |" in text
    assert "Hardhat: 227 tx/s | 0.39× | ≥ 1.0× Hardhat ✗ |" in text
    assert "| qbft_consensus | **failed** | not parsed: no QBFT rows |" in text
    assert "Not measured" in text
    assert json.dumps([f.to_json() for f in ok.figures])  # serialisable, ratio included


def test_every_benchmark_module_exists() -> None:
    root = Path(report.__file__).parent
    for bench in report.BENCHMARKS:
        assert (root / (bench.module.split(".")[1] + ".py")).is_file(), bench.module
